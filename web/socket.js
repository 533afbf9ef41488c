// The WebSocket connection to the marl-dse server: JSON messages with a type and the protocol
// version, reconnecting with backoff when the server goes away (a restarted `marl-dse serve`).

export const PROTOCOL_VERSION = 1;

/** @typedef {import('../src/server/protocol.js').ServerMessage} ServerMessage */

/**
 * @typedef {object} Connection
 * @property {(message: Record<string, unknown>) => boolean} send sends `message` with the protocol version; false when not connected
 * @property {() => boolean} connected
 * @property {() => void} close closes for good (no reconnect)
 */

/**
 * @param {object} handlers
 * @param {() => void} handlers.onOpen called on every (re)connection: send subscriptions again there
 * @param {(message: ServerMessage) => void} handlers.onMessage
 * @param {(info: { code: number, reason: string, retryMs: number }) => void} handlers.onClose
 * @returns {Connection}
 */
export function connect({ onOpen, onMessage, onClose }) {
  const token = new URLSearchParams(location.search).get('token');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  /** @type {WebSocket | null} */
  let ws = null;
  let retryMs = 250;
  let stopped = false;

  const open = () => {
    ws = new WebSocket(url);
    ws.onopen = () => {
      retryMs = 250;
      onOpen();
    };
    ws.onmessage = (ev) => {
      let message;
      try {
        message = JSON.parse(typeof ev.data === 'string' ? ev.data : '');
      } catch {
        return;
      }
      if (message && typeof message.type === 'string') onMessage(message);
    };
    ws.onclose = (ev) => {
      ws = null;
      if (stopped) return;
      onClose({ code: ev.code, reason: ev.reason, retryMs });
      setTimeout(open, retryMs);
      retryMs = Math.min(4000, retryMs * 2);
    };
  };
  open();

  return {
    send: (message) => {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify({ ...message, version: PROTOCOL_VERSION }));
      return true;
    },
    connected: () => ws !== null && ws.readyState === WebSocket.OPEN,
    close: () => {
      stopped = true;
      ws?.close(1000, 'page closed');
    },
  };
}
