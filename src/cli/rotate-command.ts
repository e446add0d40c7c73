/**
 * `byokit rotate`: the store-wide KEK rotation with a progress bar on a
 * terminal and plain lines otherwise, Ctrl-C safe (the batch in flight
 * finishes, nothing is left half-written), resumable by running it again.
 *
 * @module
 */
import cliProgress from 'cli-progress';
import type { RotationProgress, RotationReport } from '../vault/rotation.js';

/** Where progress goes: a bar on a terminal, a line at most every second otherwise. */
export interface ProgressView {
  update(progress: RotationProgress): void;
  stop(): void;
}

/** Seconds with one decimal. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A progress view for `stream`: a bar when it is a terminal, throttled lines when it is not. */
export function progressView(stream: NodeJS.WritableStream & { isTTY?: boolean }): ProgressView {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format:
          'rotating |{bar}| {percentage}% {value}/{total} keys · {rate} keys/s · {failures} failures · {eta_formatted} left',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) {
          bar.start(Math.max(p.total, p.done), 0, { rate: 0, failures: 0 });
          started = true;
        }
        bar.setTotal(Math.max(p.total, p.done));
        bar.update(p.done, { rate: p.rate, failures: p.failures });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 1000 && p.done < p.total) return;
      last = now;
      stream.write(
        `progress: ${p.done}/${p.total} keys, ${p.rewrapped} re-wrapped, ${p.failures} failures, ${p.rate} keys/s, ${seconds(p.elapsedMs)}\n`,
      );
    },
    stop() {},
  };
}

/** The closing report, for stdout. */
export function formatReport(report: RotationReport): string {
  const lines = [
    `${report.aborted ? 'stopped' : 'done'}: ${report.rewrapped} keys re-wrapped of ${report.total} in ${seconds(report.elapsedMs)} (${report.rate} keys/s), ${report.failures} failures`,
    report.remaining === 0
      ? 'no key left under another KEK: the old KEKs can leave the keyring'
      : `${report.remaining} keys still under another KEK`,
  ];
  if (report.aborted) lines.push('interrupted: run byokit rotate again to finish');
  return lines.join('\n');
}

/** The failures, one a line, for stderr. */
export function formatFailures(report: RotationReport): string {
  const lines = report.failed.map(
    (f) => `failed: tenant ${f.tenantId} config ${f.configId} (${f.slot} key): ${f.code}`,
  );
  if (report.failures > report.failed.length) lines.push(`... and ${report.failures - report.failed.length} more`);
  if (report.failures > 0)
    lines.push("these keys can't be opened with this keyring: add their KEK back, or have their owners re-enter them");
  return lines.join('\n');
}
