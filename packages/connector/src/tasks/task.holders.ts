/**
 * Is the process behind a lease holder gone? Worker ids start with their process id (`<pid>-…`, AppContext.processId).
 * On SQLite every process sharing the database runs on this machine, so a holder whose process no longer exists is
 * known dead at once, and its tasks need not wait for their lease to run out (up to 30 s after a crash). Ids of
 * another shape, this process's own id, and a pid that exists (or may: no permission to look) all count as alive.
 */
export function localHolderGone(lockedBy: string): boolean {
  const m = /^(\d+)-/.exec(lockedBy);
  if (!m) return false;
  const pid = Number(m[1]);
  if (pid === process.pid || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
