/**
 * The connections of one server, for shutdown. Node's server.close() waits
 * for every connection that has begun a request; one whose client stopped
 * halfway through its headers or body would hold the process until its
 * deadline. At close, those are destroyed: nothing was promised on them.
 * Connections carrying a complete request are left to answer it (held polls
 * have just been answered) and are closed once they have.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionTracker {
  /** Destroys connections with no complete request; the rest close after their answer. */
  closeIncomplete: () => void;
}

export function trackConnections(server: Server): ConnectionTracker {
  const sockets = new Set<Socket>();
  const current = new Map<Socket, { request: IncomingMessage; response: ServerResponse }>();
  let closing = false;

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      current.delete(socket);
    });
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    current.set(socket, { request, response });
    response.once('finish', () => {
      if (current.get(socket)?.response === response) current.delete(socket);
      if (closing) socket.end();
    });
  });

  return {
    closeIncomplete: () => {
      closing = true;
      for (const socket of sockets) {
        const inFlight = current.get(socket);
        if (inFlight === undefined || !inFlight.request.complete) {
          socket.destroy();
        } else if (!inFlight.response.headersSent) {
          inFlight.response.setHeader('connection', 'close');
        }
      }
    },
  };
}
