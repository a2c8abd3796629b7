// A cluster member in its own process, for tests that kill one: joins (lock 1.5 s), takes one job,
// prints "taken <fencing token>" and holds it until killed.
import { joinMember } from './cluster.js';

const [url, prefix, memberId] = process.argv.slice(2) as [string, string, string];
void joinMember(url, { memberId, prefix, maxJobs: 1 }).then((m) =>
  m.member.startTaking({
    cannotRun: () => undefined,
    stateDir: (r) => `${r.workspace}/.mozart/state`,
    run: (taken) => {
      process.stdout.write(`taken ${taken.fence.token}\n`);
      return new Promise(() => undefined);
    },
    note: () => undefined,
    liveMembers: async () => [],
  }),
);
