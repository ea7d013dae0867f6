import { connect } from 'node:net';

/**
 * True when a Redis server answers PING at the address. A server that asks for
 * a password (-NOAUTH) still counts: it is there, and credentials are the
 * caller's business.
 */
export function redisAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    let reply = '';
    const finish = (answered: boolean): void => {
      socket.destroy();
      resolvePromise(answered);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}
