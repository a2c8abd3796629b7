// The cluster's address: a Redis URL, checked once, shown without its password.
import { ClusterError } from './errors.js';

/** Where the cluster's Redis is, as ioredis takes it, plus a form safe to print. */
export interface ClusterTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** The URL with any password replaced by ***, for logs and conductor-status. */
  display: string;
}

/** Parses `redis://[user:password@]host[:port][/db]` (or rediss:// for TLS); a ClusterError E801 otherwise. */
export function parseClusterUrl(text: string): ClusterTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ClusterError('E801', `'${text}' is not a URL; --cluster takes redis://HOST:PORT (for example redis://10.0.0.5:6379).`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ClusterError('E801', `--cluster takes redis://HOST:PORT (or rediss:// for TLS), not '${redact(url)}'.`);
  }
  if (!url.hostname) throw new ClusterError('E801', `The cluster URL '${redact(url)}' names no host; write redis://HOST:PORT.`);
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new ClusterError('E801', `The cluster URL '${redact(url)}' ends in '/${dbText}', which is not a database number.`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    tls: url.protocol === 'rediss:',
    display: redact(url),
  };
}

function redact(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href.replace(/\/$/, '');
}
