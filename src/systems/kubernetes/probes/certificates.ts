import type { ProbeFinding } from '../../../core/finding.js';
import type { LineStatus } from '../../../core/status.js';
import type { CertificateResource } from '../cluster.js';
import { oneLine } from './pods.js';

const dayMs = 86_400_000;

/** One finding per cert-manager Certificate: crit when not Ready, warn or crit as its expiry nears. */
export function certificateFindings(namespace: string, certificates: CertificateResource[], thresholds: { certificate_warn_days: number; certificate_crit_days: number }, now: Date): ProbeFinding[] {
  return certificates.map((certificate) => {
    const name = certificate.metadata.name;
    const ready = certificate.status?.conditions?.find((condition) => condition.type === 'Ready');
    const notAfter = certificate.status?.notAfter ? new Date(certificate.status.notAfter) : undefined;
    const days = notAfter ? (notAfter.getTime() - now.getTime()) / dayMs : undefined;
    const why: string[] = [];
    let status: LineStatus = 'ok';
    if (ready?.status !== 'True') {
      status = 'crit';
      why.push(`not Ready (${ready?.reason ?? 'no Ready condition'}${ready?.message ? `: ${oneLine(ready.message)}` : ''}): cert-manager could not issue or renew it; kubectl describe certificate ${name} -n ${namespace}`);
    }
    if (days !== undefined && days <= thresholds.certificate_warn_days) {
      const level: LineStatus = days <= thresholds.certificate_crit_days ? 'crit' : 'warn';
      if (level === 'crit' || status === 'ok') status = level;
      why.push(days <= 0 ? 'expired: clients refuse it' : `expires in ${Math.floor(days)} days although cert-manager renews ahead of expiry: renewal is failing`);
    }
    const expiry = notAfter ? (days! <= 0 ? `expired ${notAfter.toISOString().slice(0, 10)}` : `expires in ${Math.floor(days!)} days (${notAfter.toISOString().slice(0, 10)})`) : 'no expiry yet';
    return {
      checkId: 'kubernetes.certificate',
      subject: `${namespace}/${name}`,
      status,
      ...(days === undefined ? {} : { measure: { value: Math.floor(days), unit: 'days' as const } }),
      label: `certificate ${namespace}/${name}`,
      text: `${ready?.status === 'True' ? 'Ready' : 'not Ready'} · ${expiry}${certificate.spec?.dnsNames?.length ? ` · ${certificate.spec.dnsNames.join(', ')}` : ''}`,
      threshold: `crit when not Ready or within ${thresholds.certificate_crit_days} days of expiry; warn within ${thresholds.certificate_warn_days} days`,
      ...(why.length > 0 ? { note: why.join('; ') } : {}),
    };
  });
}
