#!/usr/bin/env node
/*
 * icaljs_expand.mjs - ical.js counting a calendar's occurrences in a window,
 * the way a JavaScript tool would (the calendar benchmark's yardstick).
 *
 *   node icaljs_expand.mjs --icaljs DIR FILE.ics [FROM TO]   (ISO 8601 UTC)
 *
 * DIR holds node_modules/ical.js (tests/ical/setup.sh installs it in the
 * build tree).  Parses with ICAL.parse; for every series, ICAL.Event with
 * its overrides and its iterator until the window's end, counting the
 * occurrences (overrides' own times) that overlap the window.  Prints
 * {"occurrences": N}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const at = argv.indexOf('--icaljs');
if (at < 0 || argv.length < at + 3) {
  process.stderr.write('usage: icaljs_expand.mjs --icaljs DIR FILE.ics [FROM TO]\n');
  process.exit(2);
}
const dir = argv.splice(at, 2)[1];
const [file, fromIso = '2026-01-01T00:00:00Z', toIso = '2027-01-01T00:00:00Z'] = argv;
const { default: ICAL } = await import(
  pathToFileURL(path.join(dir, 'node_modules', 'ical.js', 'dist', 'ical.js')).href);

const FROM = Date.parse(fromIso) / 1000;
const TO = Date.parse(toIso) / 1000;
const root = new ICAL.Component(ICAL.parse(fs.readFileSync(file, 'utf8')));
const overrides = new Map();
const masters = [];
for (const ev of root.getAllSubcomponents('vevent')) {
  if (ev.hasProperty('recurrence-id')) {
    const uid = ev.getFirstPropertyValue('uid');
    if (!overrides.has(uid)) overrides.set(uid, []);
    overrides.get(uid).push(ev);
  } else {
    masters.push(ev);
  }
}

let n = 0;
for (const master of masters) {
  const event = new ICAL.Event(master, {
    strictExceptions: true,
    exceptions: overrides.get(master.getFirstPropertyValue('uid')) || [],
  });
  const it = event.iterator();
  for (let next = it.next(); next; next = it.next()) {
    if (next.toUnixTime() >= TO) break;
    const d = event.getOccurrenceDetails(next);
    if (d.startDate.toUnixTime() < TO && d.endDate.toUnixTime() > FROM) n++;
  }
}
process.stdout.write(`${JSON.stringify({ occurrences: n })}\n`);
