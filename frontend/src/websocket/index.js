/**
 * Point d'accès unique aux connexions WebSocket : une seule connexion par chemin (`/ws/<path>/`),
 * partagée par tous les stores et composables.
 */
import { createSocketManager } from './manager.js'

export { MessageType, ANY_MESSAGE } from './messageTypes.js'

/** Chemins connus côté backend. */
export const SocketPath = Object.freeze({
  HEARTBEAT: 'heartbeat',
})

const registry = new Map()

/** Renvoie le gestionnaire de `/ws/<path>/`, créé au premier appel. */
export function getSocket(path, options) {
  if (!registry.has(path)) registry.set(path, createSocketManager(path, options))
  return registry.get(path)
}

/** Ferme toutes les connexions (déconnexion de l'utilisateur). */
export function closeAllSockets() {
  for (const manager of registry.values()) manager.disconnect()
}

/** Réservé aux tests : oublie les gestionnaires existants. */
export function resetSockets() {
  closeAllSockets()
  registry.clear()
}
