import type { Store } from './types.js';

/** Every read of the Store port; each store builds them from its aggregates' repositories. */
export type StoreReads = Omit<Store, 'write' | 'onIncidentChanges' | 'pendingWrites' | 'ping' | 'opened' | 'close' | 'tellPeers' | 'onPeerChange' | 'runAlone'>;

/** The reads of a store, delegated to the repositories' read functions it was built with. */
export abstract class ReadsOf {
  protected abstract readonly reads: StoreReads;

  listIncidents: Store['listIncidents'] = (q) => this.reads.listIncidents(q);
  countIncidents: Store['countIncidents'] = (q) => this.reads.countIncidents(q);
  getIncident: Store['getIncident'] = (id) => this.reads.getIncident(id);
  incidentsByIds: Store['incidentsByIds'] = (ids) => this.reads.incidentsByIds(ids);
  openIncidentCounts: Store['openIncidentCounts'] = () => this.reads.openIncidentCounts();
  timelineOf: Store['timelineOf'] = (incidentId) => this.reads.timelineOf(incidentId);
  nextTimerDueAt: Store['nextTimerDueAt'] = () => this.reads.nextTimerDueAt();
  latestEvents: Store['latestEvents'] = (incidentId, kinds, limit) => this.reads.latestEvents(incidentId, kinds, limit);
  latestEventOfEach: Store['latestEventOfEach'] = (incidentIds, kind) => this.reads.latestEventOfEach(incidentIds, kind);
  alertsOf: Store['alertsOf'] = (incidentId) => this.reads.alertsOf(incidentId);
  listAlerts: Store['listAlerts'] = (q) => this.reads.listAlerts(q);
  allFiringAlerts: Store['allFiringAlerts'] = () => this.reads.allFiringAlerts();
  listSilences: Store['listSilences'] = (now) => this.reads.listSilences(now);
  getSilence: Store['getSilence'] = (id) => this.reads.getSilence(id);
  listHeartbeats: Store['listHeartbeats'] = () => this.reads.listHeartbeats();
  getHeartbeat: Store['getHeartbeat'] = (name) => this.reads.getHeartbeat(name);
  heartbeatByKeyHash: Store['heartbeatByKeyHash'] = (hash) => this.reads.heartbeatByKeyHash(hash);
  dueHeartbeats: Store['dueHeartbeats'] = (now, limit) => this.reads.dueHeartbeats(now, limit);
  nextHeartbeatCheckAt: Store['nextHeartbeatCheckAt'] = () => this.reads.nextHeartbeatCheckAt();
  listOverrides: Store['listOverrides'] = (now) => this.reads.listOverrides(now);
  listNotifications: Store['listNotifications'] = (incidentId, limit) => this.reads.listNotifications(incidentId, limit);
  attemptsOf: Store['attemptsOf'] = (notificationId) => this.reads.attemptsOf(notificationId);
  pendingNotificationCount: Store['pendingNotificationCount'] = () => this.reads.pendingNotificationCount();
  lastIncidentForAddress: Store['lastIncidentForAddress'] = (address) => this.reads.lastIncidentForAddress(address);
  firstChatMessage: Store['firstChatMessage'] = (incidentId, address) => this.reads.firstChatMessage(incidentId, address);
  incidentForThread: Store['incidentForThread'] = (threadRef) => this.reads.incidentForThread(threadRef);
  notificationBody: Store['notificationBody'] = (id) => this.reads.notificationBody(id);
  reportChunks: Store['reportChunks'] = (since, until, options) => this.reads.reportChunks(since, until, options);
  pendingReviews: Store['pendingReviews'] = (limit) => this.reads.pendingReviews(limit);
  queuedRunbookRuns: Store['queuedRunbookRuns'] = (limit) => this.reads.queuedRunbookRuns(limit);
  runningRunbookRuns: Store['runningRunbookRuns'] = () => this.reads.runningRunbookRuns();
  orphanedRunbookRuns: Store['orphanedRunbookRuns'] = () => this.reads.orphanedRunbookRuns();
  recentRunbookRuns: Store['recentRunbookRuns'] = (runbook, key, since) => this.reads.recentRunbookRuns(runbook, key, since);
  listRunbookRuns: Store['listRunbookRuns'] = (query) => this.reads.listRunbookRuns(query);
  getRunbookRun: Store['getRunbookRun'] = (id) => this.reads.getRunbookRun(id);
  approvalsOf: Store['approvalsOf'] = (runId) => this.reads.approvalsOf(runId);
  approvalsOfRuns: Store['approvalsOfRuns'] = (runIds) => this.reads.approvalsOfRuns(runIds);
  accessTokenByHash: Store['accessTokenByHash'] = (hash) => this.reads.accessTokenByHash(hash);
  listAccessTokens: Store['listAccessTokens'] = () => this.reads.listAccessTokens();
  sessionByHash: Store['sessionByHash'] = (hash) => this.reads.sessionByHash(hash);
}
