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

/**
 * Each socket's latest response is noted on the socket itself: a listener
 * that made a closure, a once-wrapper and a map entry per request cost every
 * request about 1 KB of garbage for the sake of one shutdown. The note is
 * weak, so an answered response is not kept alive by an idle connection.
 */
const latest = Symbol('latestResponse');

interface TrackedSocket extends Socket {
  [latest]?: WeakRef<ServerResponse>;
}

function noteResponse(request: IncomingMessage, response: ServerResponse): void {
  (request.socket as TrackedSocket)[latest] = new WeakRef(response);
}

export function trackConnections(server: Server): ConnectionTracker {
  const sockets = new Set<TrackedSocket>();
  // One listener for every socket (an emitter calls it with itself as
  // `this`), rather than a closure and a once-wrapper per connection.
  function forget(this: TrackedSocket): void {
    sockets.delete(this);
  }

  server.on('connection', (socket: TrackedSocket) => {
    sockets.add(socket);
    socket.on('close', forget);
  });
  server.on('request', noteResponse);

  return {
    closeIncomplete: () => {
      for (const socket of sockets) {
        const response = socket[latest]?.deref();
        // No request yet, or the last one answered (and maybe collected):
        // anything more on this connection is at most part of a request.
        if (response === undefined || response.writableFinished || !response.req.complete) {
          socket.destroy();
        } else if (!response.headersSent) {
          // Node ends the connection after an answer that says close.
          response.setHeader('connection', 'close');
        } else {
          response.once('finish', () => socket.end());
        }
      }
    },
  };
}
