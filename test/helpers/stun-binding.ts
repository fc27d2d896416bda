import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

/**
 * Sends STUN binding requests (RFC 5389) to the port until one is answered:
 * proof that coturn serves, not just that something holds the port.
 */
export async function stunBinding(
  port: number,
  timeoutMs: number,
  host = '127.0.0.1',
): Promise<{ address: string; port: number }> {
  const socket = createSocket('udp4');
  const transaction = randomBytes(12);
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), transaction]);
  try {
    return await new Promise((resolve, reject) => {
      const resend = setInterval(() => {
        socket.send(request, port, host);
      }, 250);
      const timer = setTimeout(() => {
        reject(new Error(`no STUN binding answer from ${host}:${port} in ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearInterval(resend);
        clearTimeout(timer);
      };
      socket.on('error', (error) => {
        done();
        reject(error);
      });
      socket.on('message', (message) => {
        if (message.length < 20 || message.readUInt16BE(0) !== 0x0101 || !message.subarray(8, 20).equals(transaction))
          return;
        const mapped = xorMappedAddress(message);
        if (mapped === undefined) return;
        done();
        resolve(mapped);
      });
      socket.send(request, port, host);
    });
  } finally {
    socket.close();
  }
}

/** The XOR-MAPPED-ADDRESS (IPv4) of a STUN success response. */
function xorMappedAddress(message: Buffer): { address: string; port: number } | undefined {
  for (let offset = 20; offset + 4 <= message.length;) {
    const type = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    const value = message.subarray(offset + 4, offset + 4 + length);
    if (type === 0x0020 && value.length >= 8 && value[1] === 0x01) {
      const port = value.readUInt16BE(2) ^ 0x2112;
      const address = [0x21, 0x12, 0xa4, 0x42].map((cookie, i) => ((value[4 + i] ?? 0) ^ cookie).toString()).join('.');
      return { address, port };
    }
    offset += 4 + Math.ceil(length / 4) * 4;
  }
  return undefined;
}
