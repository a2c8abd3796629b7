// The conductor daemon's entry point (dist/conductor.js). Usually started by `mozart start` (or the
// extension) detached, with output to its log file. Its settings come from its config file
// ($MOZART_HOME/conductor.yaml, or --config FILE), MOZART_* variables and flags (--socket,
// --max-jobs, --log-level, --cluster, --agent-cap), in that order of strength (config.ts).
import { closeSync, existsSync, mkdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { conductorConfigFile, EXIT_HOME_TAKEN, homeConductor, mozartHome, pidFile, registryDir, socketPath, socketPathProblem, socketRecordFile } from '../../../protocol/src/paths.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type * as ClusterModule from '../cluster/start.js';
import { DEFAULT_LIMITS, JobError, JobManager } from './job-manager.js';
import { AdoptRefusal } from './adopt.js';
import { ConductorServer } from './server.js';
import type { Handlers } from './server.js';
import { LearningHub } from '../learning/hub.js';
import { learningHandlers, withAppliedPatterns } from './learning-methods.js';
import { scaledClock } from '../runner/clock.js';
import type { Clock } from '../runner/clock.js';
import { ConductorLog } from './log.js';
import { launcherState, onLauncherNotice } from '../backends/launcher.js';
import { ConductorConfig, ConfigFileError } from './config.js';
import { applySettings, configHandlers } from './config-methods.js';

declare const MOZART_VERSION: string | undefined;
const VERSION = typeof MOZART_VERSION === 'string' ? MOZART_VERSION : 'dev';

const logger = new ConductorLog();
const log = logger.info;

/** True when something answers on the socket. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * MOZART_TEST_CLOCK_SCALE (tests and benches only, see docs/cli.md): every wait of every job —
 * backoff, rate-limit and quota waits, the circuit breaker's cooldown, pauses between sheets, a
 * concert's cooldown — lasts that many times as long. Said in the log, as it changes what runs mean.
 */
function testClock(): Clock | undefined {
  const raw = process.env.MOZART_TEST_CLOCK_SCALE;
  if (raw === undefined || raw === '') return undefined;
  const scale = Number(raw);
  if (!(scale > 0) || !Number.isFinite(scale)) {
    logger.warn(`mozart conductor: MOZART_TEST_CLOCK_SCALE must be a positive number (got '${raw}'); waits run in real time.`);
    return undefined;
  }
  log(`test clock: every wait lasts ${scale} × as long (MOZART_TEST_CLOCK_SCALE)`);
  return scaledClock(scale);
}

/**
 * Cluster mode's code (BullMQ, ioredis) is its own bundle, dist/cluster.js beside this one, loaded
 * only by a conductor started with --cluster: a single conductor never parses a line of it.
 */
function loadCluster(): typeof ClusterModule {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load, see above */
  return require(join(__dirname, 'cluster.js')) as typeof ClusterModule;
}

/** Joins the cluster when cluster.url is set (--cluster, MOZART_CLUSTER, the config file); exits with the reason when Redis fails. */
async function startClusterMode(config: ConductorConfig, publishLocal: (event: RunnerEvent) => void): Promise<ClusterModule.ClusterMode | undefined> {
  const v = config.values;
  const url = v['cluster.url'];
  if (!url) return undefined;
  const { joinCluster } = loadCluster();
  const settings = { url, ...(v['cluster.agent_caps'] ? { agentCaps: v['cluster.agent_caps'] } : {}), ...(v['cluster.lock_ms'] ? { lockMs: v['cluster.lock_ms'] } : {}), ...(v['cluster.prefix'] ? { prefix: v['cluster.prefix'] } : {}), ...(v['cluster.member_id'] ? { memberId: v['cluster.member_id'] } : {}) };
  try {
    return await joinCluster(settings, { maxJobs: v.max_concurrent_jobs, version: VERSION, registryDir: registryDir(), log, publishLocal });
  } catch (error) {
    logger.error(`mozart conductor: ${(error as Error).message}`);
    process.exit(2);
  }
}

/** The cluster's refusals (E8xx: Redis away, a member not answering) are for the user, like the manager's. */
const isClusterRefusal = (error: unknown): boolean => /^E8\d\d$/.test(String((error as { code?: unknown } | undefined)?.code));

async function main(): Promise<void> {
  const { values: flags } = parseArgs({ options: { socket: { type: 'string' }, foreground: { type: 'boolean' }, config: { type: 'string' }, 'max-jobs': { type: 'string' }, 'log-level': { type: 'string' }, cluster: { type: 'string' }, 'agent-cap': { type: 'string' } } });
  const configFile = conductorConfigFile(flags.config);
  let config: ConductorConfig;
  try {
    config = new ConductorConfig({
      file: configFile,
      env: process.env,
      flags: { '--socket': flags.socket, '--max-jobs': flags['max-jobs'], '--log-level': flags['log-level'], '--cluster': flags.cluster, '--agent-cap': flags['agent-cap'] },
      defaults: { socketPath: socketPath(undefined, { ...process.env, MOZART_SOCKET: undefined }) },
    });
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    logger.error(`mozart conductor: the config file has errors; fix them ('mozart config check') and start again:\n${error.message}`);
    process.exit(2);
  }
  if (config.fatal.length > 0) {
    logger.error(`mozart conductor: ${config.fatal.join(' ')}`);
    process.exit(2);
  }
  logger.level = config.values.log_level;
  for (const note of config.notes) logger.warn(`config: ${note}`);
  const path = config.values['socket.path'];
  const tooLong = socketPathProblem(path);
  if (tooLong) {
    logger.error(`mozart conductor: ${tooLong}`);
    process.exit(2);
  }
  if (existsSync(path)) {
    if (await answers(path)) {
      logger.error(`mozart conductor: another conductor is already running on ${path}.`);
      process.exit(3);
    }
    rmSync(path, { force: true }); // stale socket from a conductor that died
  }
  // One conductor per home: a second one on another socket would resume the first one's running
  // jobs from the same registry, and both would run the same sheets into the same workspaces.
  const holder = homeConductor();
  if (holder?.socket && holder.pid !== process.pid && holder.socket !== path && (await answers(holder.socket))) {
    logger.error(
      `mozart conductor: another conductor (pid ${holder.pid}) already runs for ${mozartHome()} on ${holder.socket}; two conductors over one home would run the same jobs twice. Use that socket (--socket, MOZART_SOCKET, socket.path in conductor.yaml, or the editor's mozart.conductor.socketPath setting), or stop it first.`,
    );
    process.exit(EXIT_HOME_TAKEN);
  }

  const started = Date.now();
  const v = config.values;
  const clock = testClock();
  // Cluster mode: cluster.url (--cluster / MOZART_CLUSTER / the file).
  const cluster = await startClusterMode(config, (event) => server.publish(event));
  const manager = new JobManager(registryDir(), cluster ? cluster.publish : (event) => server.publish(event), DEFAULT_LIMITS, { ...cluster?.parts, ...(clock ? { clock } : {}), onRecord: (event) => server.publish(event) });
  applySettings(manager, logger, v);
  // learning: the user's one learning store, shared by every job of this conductor.
  const learningDir = join(mozartHome(), 'learning');
  let hub: LearningHub | undefined;
  let learningProblem = '';
  try {
    hub = LearningHub.open({ dir: learningDir, maxOutcomes: v['learning.max_outcomes'], maxAgeDays: v['learning.max_age_days'], log });
    manager.learning = hub;
    manager.rememberRateLimits(hub);
  } catch (error) {
    learningProblem = `${learningDir} could not be opened (${(error as Error).message}); jobs run without learning.`;
    logger.warn(`learning: ${learningProblem}`);
  }
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      log(`stopping (${reason}): ${cluster ? 'handing' : 'pausing'} ${manager.runningCount} running job(s) at a safe point${cluster ? ' back to the cluster queue' : ''}`);
      await manager.pauseAll();
      await cluster?.leave();
      hub?.close();
      await server.close();
      rmSync(pidFile(), { force: true });
      rmSync(socketRecordFile(), { force: true });
      log('stopped');
      process.exit(0);
    })();
    return stopping;
  };

  // Params arrive checked against each method's schema (absent options stay absent); a JobError
  // thrown here is the manager refusing, answered as is (-32000).
  const handlers: Handlers = {
    'daemon.status': async () => ({
      pid: process.pid,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      socket: path,
      rssBytes: process.memoryUsage.rss(),
      jobs: { total: manager.knownCount, running: manager.runningCount },
      ...(cluster ? { cluster: await cluster.status() } : {}),
    }),
    'daemon.shutdown': async () => {
      setImmediate(() => void stop('shutdown requested'));
      return { stopping: true };
    },
    'daemon.health': async () => {
      const health = manager.health(mozartHome());
      if (!cluster) return health;
      const redis = (await cluster.status()).redis;
      const where = cluster.member.options.target.display;
      const check = { name: 'cluster', ok: redis.connected, detail: redis.connected ? `Redis at ${where} answers${redis.latencyMs !== undefined ? ` in ${redis.latencyMs.toFixed(1)} ms` : ''}` : `Redis at ${where} is unreachable since ${redis.since}: not taking new jobs, running jobs go on` };
      return { ok: health.ok && check.ok, checks: [...health.checks, check] };
    },
    'job.submit': async ({ scoreFile, ...options }) => manager.submit(scoreFile, options),
    'job.status': async ({ jobId }) => {
      const state = manager.status(jobId);
      // A job at rest keeps the same checkpoint object until its files change: encode it once.
      if (!manager.isRunning(jobId)) server.keepJson(state);
      return state;
    },
    'job.list': async ({ all }) => manager.list(all === true),
    'job.pause': async ({ jobId }) => manager.pause(jobId),
    'job.approve': async ({ jobId, sheet, skip }) => manager.approve(jobId, sheet, skip === true),
    'job.resume': async ({ jobId, ...options }) => manager.resume(jobId, options),
    'job.modify': async ({ jobId, ...options }) => manager.modify(jobId, options),
    'job.clear': async (options) => manager.clear(options),
    'job.errors': async ({ jobId, sheet }) => manager.errors(jobId, sheet),
    'job.diagnose': async ({ jobId }) => withAppliedPatterns(manager.diagnose(jobId), hub),
    'job.logs': async ({ jobId, ...options }) => manager.logs(jobId, options),
    'job.recover': async ({ jobId, dryRun, sheet }) => manager.recover(jobId, dryRun === true, sheet),
    'job.cancel': async ({ jobId }) => manager.cancel(jobId),
    'job.adopt': async ({ jobId, workspace }) => manager.adopt(jobId, workspace),
    ...learningHandlers(hub, learningProblem, learningDir),
    ...configHandlers(config, manager, logger, cluster !== undefined),
  };
  const server = new ConductorServer(handlers, {
    isRefusal: (error) => error instanceof JobError || error instanceof AdoptRefusal || error instanceof ConfigFileError || isClusterRefusal(error),
    log: logger.error,
    onRequest: (method) => logger.debug(`request ${method}`),
  });
  manager.editorFollows = (jobId) => server.editorFollows(jobId);
  await server.listen(path);
  mkdirSync(dirname(pidFile()), { recursive: true, mode: 0o700 });
  writeFileSync(pidFile(), String(process.pid));
  writeFileSync(socketRecordFile(), `${path}\n`, { mode: 0o600 });
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // SIGHUP re-reads the config file; the handler logs what changed, or why the file was refused.
  process.on('SIGHUP', () => void handlers['daemon.reloadConfig']({}).catch(() => undefined));
  log(`mozart conductor ${VERSION} listening on ${path} (pid ${process.pid})`);
  onLauncherNotice((message) => logger.warn(message));
  const launcher = launcherState();
  log(launcher.kind === 'helper' ? `children start through the process helper (${launcher.interpreter}, posix_spawn)` : `children start with Node's spawn (${launcher.why})`);
  if (cluster) {
    // A member's interrupted jobs come back through the queue (their locks expire), not from here.
    cluster.attach(manager);
    log(`member ${cluster.member.id} of the cluster at ${cluster.member.options.target.display} (up to ${v.max_concurrent_jobs} jobs)`);
  } else {
    const { resumed, notResumed } = manager.resumeInterrupted();
    if (resumed.length) log(`resumed interrupted job(s): ${resumed.join(', ')}`);
    for (const { jobId, reason } of notResumed) logger.warn(`interrupted job '${jobId}' was not resumed (resume it by hand once fixed): ${reason}`);
  }
  // `mozart start` passes a pipe as fd 3 and waits for this line instead of polling the socket.
  if (process.env.MOZART_READY_FD) {
    const fd = Number(process.env.MOZART_READY_FD);
    try {
      writeSync(fd, 'ready\n');
      closeSync(fd);
    } catch {
      /* nobody is waiting */
    }
  }
}

// One job's failure must never take the others down with the conductor: anything that escapes is
// logged and the conductor keeps serving (each job's runner turns its own failures into a failed job).
process.on('unhandledRejection', (reason) => logger.error(`unexpected error (the conductor keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
process.on('uncaughtException', (error) => logger.error(`unexpected error (the conductor keeps running): ${error.stack ?? error.message}`));

main().catch((error: Error) => {
  logger.error(`mozart conductor failed to start: ${error.message}`);
  process.exit(1);
});
