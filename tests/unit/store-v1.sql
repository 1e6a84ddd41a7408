-- A store written by gleaner at schema version 1 (commit 89e75fa, the last landed version),
-- and one activity as its schema allows: test_store.c upgrades it.
PRAGMA application_id = 1735159410;
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE activities (  id INTEGER PRIMARY KEY,  source TEXT NOT NULL,  kind TEXT NOT NULL CHECK (kind IN ('meeting','commit','worklog','out-of-office')),  key TEXT NOT NULL,  start INTEGER NOT NULL,  end INTEGER NOT NULL,  title TEXT NOT NULL DEFAULT '',  counted INTEGER NOT NULL DEFAULT 1,  why TEXT,  details TEXT NOT NULL DEFAULT '{}',  collected_at INTEGER NOT NULL,  UNIQUE (source, key));
CREATE TABLE alerts (  id INTEGER PRIMARY KEY,  kind TEXT NOT NULL,  subject TEXT NOT NULL,  period TEXT NOT NULL,  level INTEGER NOT NULL DEFAULT 0,  fired_at INTEGER NOT NULL,  outbox_id INTEGER REFERENCES outbox(id),  details TEXT NOT NULL DEFAULT '{}',  UNIQUE (kind, subject, period, level));
CREATE TABLE audit (  id INTEGER PRIMARY KEY,  at INTEGER NOT NULL,  actor TEXT NOT NULL,  tool TEXT NOT NULL,  arguments TEXT NOT NULL DEFAULT '{}',  outcome TEXT NOT NULL CHECK (outcome IN ('ok','error')),  message TEXT);
CREATE TABLE harvest_clients (  id INTEGER PRIMARY KEY, name TEXT NOT NULL, is_active INTEGER,  updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);
CREATE TABLE harvest_projects (  id INTEGER PRIMARY KEY, client_id INTEGER, name TEXT NOT NULL, code TEXT,  is_active INTEGER, is_billable INTEGER, budget REAL, budget_by TEXT,  budget_is_monthly INTEGER, updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);
CREATE TABLE harvest_task_assignments (  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, task_id INTEGER NOT NULL,  is_active INTEGER, billable INTEGER, updated_at TEXT, data TEXT NOT NULL,  seen_sync INTEGER NOT NULL);
CREATE TABLE harvest_tasks (  id INTEGER PRIMARY KEY, name TEXT NOT NULL, is_active INTEGER,  billable_by_default INTEGER, updated_at TEXT, data TEXT NOT NULL,  seen_sync INTEGER NOT NULL);
CREATE TABLE harvest_time_entries (  id INTEGER PRIMARY KEY, spent_date TEXT NOT NULL, user_id INTEGER,  project_id INTEGER, task_id INTEGER, hours REAL NOT NULL, notes TEXT,  is_locked INTEGER, is_billed INTEGER, billable INTEGER, is_running INTEGER,  external_ref_id TEXT, updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);
CREATE TABLE harvest_user_assignments (  id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, user_id INTEGER NOT NULL,  is_active INTEGER, updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);
CREATE TABLE harvest_users (  id INTEGER PRIMARY KEY, email TEXT, first_name TEXT, last_name TEXT,  is_active INTEGER, weekly_capacity INTEGER, is_me INTEGER NOT NULL DEFAULT 0,  updated_at TEXT, data TEXT NOT NULL, seen_sync INTEGER NOT NULL);
CREATE TABLE outbox (  id INTEGER PRIMARY KEY,  kind TEXT NOT NULL,  dedupe_key TEXT NOT NULL UNIQUE,  payload TEXT NOT NULL,  status TEXT NOT NULL DEFAULT 'pending'    CHECK (status IN ('pending','sending','done','failed')),  attempts INTEGER NOT NULL DEFAULT 0,  next_attempt_at INTEGER NOT NULL,  last_error TEXT,  result TEXT,  created_at INTEGER NOT NULL,  updated_at INTEGER NOT NULL);
CREATE TABLE proposal_sources (  proposal_id INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,  activity_id INTEGER REFERENCES activities(id) ON DELETE SET NULL,  kind TEXT NOT NULL,  key TEXT NOT NULL,  start INTEGER NOT NULL,  end INTEGER NOT NULL,  PRIMARY KEY (proposal_id, kind, key, start));
CREATE TABLE proposals (  id INTEGER PRIMARY KEY,  key TEXT NOT NULL UNIQUE,  day TEXT NOT NULL,  project_id INTEGER,  task_id INTEGER,  hours REAL NOT NULL,  notes TEXT NOT NULL DEFAULT '',  confidence REAL NOT NULL DEFAULT 0,  status TEXT NOT NULL DEFAULT 'proposed'    CHECK (status IN ('proposed','accepted','rejected','pushed')),  reason TEXT NOT NULL DEFAULT '',  edited INTEGER NOT NULL DEFAULT 0,  harvest_entry_id INTEGER,  created_at INTEGER NOT NULL,  updated_at INTEGER NOT NULL);
CREATE TABLE sync_state (  source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,  updated_at INTEGER NOT NULL, PRIMARY KEY (source, key));
CREATE INDEX activities_start ON activities(start);
CREATE INDEX proposals_day ON proposals(day);
CREATE INDEX harvest_task_assignments_project ON harvest_task_assignments(project_id);
CREATE INDEX harvest_time_entries_day ON harvest_time_entries(spent_date, user_id);
CREATE INDEX harvest_time_entries_project ON harvest_time_entries(project_id, spent_date);
CREATE INDEX harvest_time_entries_ref ON harvest_time_entries(external_ref_id);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX audit_at ON audit(at);
INSERT INTO activities (source, kind, key, start, "end", title, details, collected_at) VALUES ('calendar:work', 'meeting', 'standup@example.com/20261116T083000Z', 1795334400, 1795335300, 'Daily standup', '{}', 1795338000);
COMMIT;
