import { getCurrentScope, onScopeDispose } from 'vue'
import { getSocket } from '../websocket/index.js'

/**
 * Abonne `handler` aux messages `type` de `/ws/<path>/` pour la durée de vie du composant
 * (ou du scope) appelant ; le désabonnement est automatique.
 * @returns {{connected: import('vue').Ref<boolean>, unsubscribe: () => void}}
 */
export function useSocketSubscription(path, type, handler) {
  const socket = getSocket(path)
  const unsubscribe = socket.subscribe(type, handler)
  if (getCurrentScope()) onScopeDispose(unsubscribe)
  return { connected: socket.connected, unsubscribe }
}
