import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A test CA with a server certificate for 127.0.0.1 and a client certificate, as PEM text and as files. */
export interface ClusterCertificates {
  dir: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
  /** The user name the client certificate authenticates as (its CN). */
  clientUser: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

/** Makes a fresh CA, a server certificate valid for 127.0.0.1 and localhost, and a client certificate, with `openssl`. */
export async function makeClusterCertificates(clientUser = 'maintbot-test'): Promise<ClusterCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-fake-k8s-'));
  const days = ['-days', '2'];
  await openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', ...days, '-subj', '/CN=fake-kubernetes-ca');
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [['server', '/CN=kube-apiserver'], ['client', `/O=maintbot/CN=${clientUser}`]] as const) {
    await openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, ...days, '-extfile', `${name}.ext`);
  }
  const read = (name: string) => readFile(join(dir, name), 'utf8');
  return {
    dir,
    caPem: await read('ca.crt'),
    serverCertPem: await read('server.crt'),
    serverKeyPem: await read('server.key'),
    clientCertPem: await read('client.crt'),
    clientKeyPem: await read('client.key'),
    clientUser,
  };
}
