/**
 * Fausse WebSocket pour les tests : enregistre chaque instance, et permet de simuler
 * l'ouverture, la réception de messages et la coupure réseau.
 */
export class FakeWebSocket {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSING = 2
  static CLOSED = 3
  /** @type {FakeWebSocket[]} */
  static instances = []

  static reset() {
    FakeWebSocket.instances = []
  }

  static get last() {
    return FakeWebSocket.instances.at(-1)
  }

  constructor(url) {
    this.url = url
    this.readyState = FakeWebSocket.CONNECTING
    this.sent = []
    this.closeCode = null
    this.onopen = null
    this.onmessage = null
    this.onclose = null
    this.onerror = null
    FakeWebSocket.instances.push(this)
  }

  send(data) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('socket non ouverte')
    this.sent.push(data)
  }

  /** Fermeture demandée par le client. */
  close(code = 1000) {
    this.closeCode = code
    this.readyState = FakeWebSocket.CLOSED
    this.onclose?.({ code, wasClean: true })
  }

  // --- Pilotage par le test ---
  simulateOpen() {
    this.readyState = FakeWebSocket.OPEN
    this.onopen?.({})
  }

  simulateMessage(payload) {
    this.onmessage?.({ data: typeof payload === 'string' ? payload : JSON.stringify(payload) })
  }

  /** Coupure côté serveur / réseau. */
  simulateDrop(code = 1006) {
    this.readyState = FakeWebSocket.CLOSED
    this.onerror?.({})
    this.onclose?.({ code, wasClean: false })
  }
}
