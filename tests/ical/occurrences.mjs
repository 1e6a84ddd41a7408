#!/usr/bin/env node
/*
 * occurrences.mjs - the ical.js side of the calendar oracle (compare.py).
 *
 *   node occurrences.mjs --tz ZONE --from T --to T [--zones ZONES.ics] FILE.ics
 *
 * Prints the same JSON shape as ical_occurrences (gleaner's side): every
 * occurrence overlapping [from, to) with its key, UTC start and end, and
 * whether it is cancelled.  ical.js parses, converts time zones and expands
 * recurrence (ICAL.Event, RecurExpansion); this script only applies the
 * reading rules gleaner documents in connectors/ical.h where RFC 5545 leaves
 * a choice or ical.js does something else on purpose:
 *   - floating times and all-day dates are in the user's zone (--tz);
 *   - each occurrence lasts DTEND - DTSTART exactly, or DURATION with days
 *     in local time and hours exact (RFC 5545 3.8.5.3): ical.js's own
 *     getOccurrenceDetails adds a DTEND-derived duration in wall-clock time,
 *     so its end is counted (icaljs_end_differs) but not used;
 *   - an RDATE;VALUE=PERIOD keeps its own end: ical.js's RecurExpansion
 *     cannot order Period values, so it is given the periods' starts;
 *   - an occurrence that both the RRULE and an RDATE produce is one
 *     occurrence (ical.js lists it twice; counted in icaljs_duplicates);
 *   - overrides, duplicates, EXDATEd overrides and missing series as ical.h
 *     says.
 * Zones that the file names but does not define come from --zones (written
 * by compare.py from Python's zoneinfo), registered under those names.
 */
import fs from 'node:fs';
import ICAL from 'ical.js';

function usage() {
  process.stderr.write('usage: occurrences.mjs --tz ZONE --from T --to T [--zones F.ics] FILE\n');
  process.exit(2);
}

const args = { tz: 'Europe/Berlin', from: null, to: null, zones: null, file: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (['--tz', '--from', '--to', '--zones'].includes(a) && i + 1 < process.argv.length) {
    args[a.slice(2)] = process.argv[++i];
  } else if (!a.startsWith('-') && !args.file) {
    args.file = a;
  } else {
    usage();
  }
}
if (!args.file || !args.from || !args.to) usage();
const FROM = Date.parse(args.from) / 1000;
const TO = Date.parse(args.to) / 1000;
const DAY = 86400;

const out = { events: 0, skipped: 0, problems: [], icaljs_end_differs: 0, icaljs_duplicates: 0,
  occurrences: [] };

function skip(what) {
  out.skipped++;
  out.problems.push(what);
}

/* --------------------------------------------------------------- zones */

function usableVtimezone(vtz) {
  return vtz.getAllSubcomponents().some((o) => ['standard', 'daylight'].includes(o.name) &&
    o.hasProperty('dtstart') && o.hasProperty('tzoffsetto') && o.hasProperty('tzoffsetfrom'));
}

if (args.zones) {
  const zc = new ICAL.Component(ICAL.parse(fs.readFileSync(args.zones, 'utf8')));
  for (const vtz of zc.getAllSubcomponents('vtimezone')) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
}
const userTz = ICAL.TimezoneService.get(args.tz);
if (!userTz) {
  process.stderr.write(`occurrences.mjs: no zone ${args.tz} (pass it in --zones)\n`);
  process.exit(2);
}

/* ---------------------------------------------------------------- time */

function dayNumber(t) {
  return Math.round(Date.UTC(t.year, t.month - 1, t.day) / 1000 / DAY);
}

function civil(day) {
  const d = new Date(day * DAY * 1000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function midnight(day) {
  return ICAL.Time.fromData({ ...civil(day), hour: 0, minute: 0, second: 0, isDate: false },
    userTz).toUnixTime();
}

function isFloating(t) {
  return !t.zone || t.zone === ICAL.Timezone.localTimezone || t.zone.tzid === 'floating';
}

/* The zone a time is read in: its own, or the user's for floating times. */
function zoneOf(t) {
  return isFloating(t) ? userTz : t.zone;
}

function local(t, zone, extraDays = 0) {
  const c = ICAL.Time.fromData({ year: t.year, month: t.month, day: t.day, hour: t.hour,
    minute: t.minute, second: t.second, isDate: false }, zone);
  if (extraDays) c.adjust(extraDays, 0, 0, 0);
  return c;
}

function toUtc(t) {
  if (t.isDate) return midnight(dayNumber(t));
  return isFloating(t) ? local(t, userTz).toUnixTime() : t.toUnixTime();
}

/* The local date of a recurrence id, as gleaner keys and matches it. */
function ridDay(t) {
  if (t.isDate || t.zone !== ICAL.Timezone.utcTimezone) return dayNumber(t);
  const u = t.clone().convertToZone(userTz);
  return dayNumber(u);
}

function stampUtc(secs) {
  return new Date(secs * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
}

function stampDay(day) {
  const c = civil(day);
  return `${c.year}`.padStart(4, '0') + `${c.month}`.padStart(2, '0') +
    `${c.day}`.padStart(2, '0');
}

/* ------------------------------------------------------------- duration */

function spanOf(comp, start) {
  const dtend = comp.getFirstPropertyValue('dtend');
  if (dtend) {
    if (start.isDate) return { kind: 'days', days: Math.max(0, dayNumber(dtend) - dayNumber(start)) };
    if (dtend.isDate) {
      const m = ICAL.Time.fromData({ year: dtend.year, month: dtend.month, day: dtend.day,
        hour: 0, minute: 0, second: 0, isDate: false }, zoneOf(start));
      return { kind: 'exact', secs: Math.max(0, m.toUnixTime() - toUtc(start)) };
    }
    return { kind: 'exact', secs: Math.max(0, toUtc(dtend) - toUtc(start)) };
  }
  const dur = comp.getFirstPropertyValue('duration');
  if (dur) {
    let days = dur.weeks * 7 + dur.days;
    let secs = dur.hours * 3600 + dur.minutes * 60 + dur.seconds;
    if (dur.isNegative) days = secs = 0;
    if (start.isDate) return { kind: 'days', days: days + Math.ceil(secs / DAY) };
    return { kind: days ? 'nominal' : 'exact', days, secs };
  }
  if (start.isDate) return { kind: 'days', days: 1 };
  return { kind: 'exact', secs: 0 };
}

function times(t, span) {
  if (t.isDate || span.kind === 'days') {
    const d = dayNumber(t);
    return { start: midnight(d), end: midnight(d + span.days), day: d };
  }
  const start = toUtc(t);
  const end = span.kind === 'nominal'
    ? local(t, zoneOf(t), span.days).toUnixTime() + span.secs
    : start + span.secs;
  return { start, end: Math.max(end, start), day: dayNumber(t) };
}

function overlaps(start, end) {
  return start < TO && (end > FROM || (end === start && start >= FROM));
}

/* --------------------------------------------------------------- events */

function status(comp) {
  return String(comp.getFirstPropertyValue('status') || '').toUpperCase();
}

function emit(uid, key, t, comp, allDay) {
  if (!overlaps(t.start, t.end)) return;
  out.occurrences.push({ key, uid, start: t.start, end: t.end, all_day: allDay,
    cancelled: status(comp) === 'CANCELLED',
    title: String(comp.getFirstPropertyValue('summary') || '') });
}

function ridKey(comp) {
  const rid = comp.getFirstPropertyValue('recurrence-id');
  return rid.isDate ? `D${dayNumber(rid)}` : `T${toUtc(rid)}`;
}

/* The copy that counts: higher SEQUENCE, then later DTSTAMP, then the first. */
function better(b, a) {
  const sb = b.getFirstPropertyValue('sequence') || 0;
  const sa = a.getFirstPropertyValue('sequence') || 0;
  if (sb !== sa) return sb > sa;
  const tb = b.getFirstPropertyValue('dtstamp');
  const ta = a.getFirstPropertyValue('dtstamp');
  return (tb ? tb.toUnixTime() : 0) > (ta ? ta.toUnixTime() : 0);
}

function emitOverride(o, masterAllDay) {
  const uid = o.getFirstPropertyValue('uid');
  const start = o.getFirstPropertyValue('dtstart');
  const rid = o.getFirstPropertyValue('recurrence-id');
  const dayKey = masterAllDay || rid.isDate;
  const key = `${uid}/${dayKey ? stampDay(ridDay(rid)) : stampUtc(toUtc(rid))}`;
  emit(uid, key, times(start, spanOf(o, start)), o, start.isDate);
}

/*
 * RDATE periods: ical.js parses them but RecurExpansion cannot order
 * Period values, so the series gets their starts and the ends are kept here.
 */
function periodEnds(comp) {
  const ends = new Map();
  for (const prop of comp.getAllProperties('rdate')) {
    const values = prop.getValues();
    if (!values.some((v) => v instanceof ICAL.Period)) continue;
    const starts = [];
    for (const v of values) {
      if (v instanceof ICAL.Period) {
        const end = v.end ? toUtc(v.end) : toUtc(v.start) + 0;
        let stop = end;
        if (!v.end) {
          const d = v.duration;
          const days = d.isNegative ? 0 : d.weeks * 7 + d.days;
          const secs = d.isNegative ? 0 : d.hours * 3600 + d.minutes * 60 + d.seconds;
          stop = local(v.start, zoneOf(v.start), days).toUnixTime() + secs;
        }
        ends.set(toUtc(v.start), stop);
        starts.push(v.start);
      } else {
        starts.push(v);
      }
    }
    const tzid = prop.getParameter('tzid');
    comp.removeProperty(prop);
    for (const s of starts) {
      const p = new ICAL.Property('rdate', comp);
      if (tzid) p.setParameter('tzid', tzid);
      p.setValue(s);
      comp.addProperty(p);
    }
  }
  return ends;
}

function expandSeries(master, overrides) {
  const uid = master.getFirstPropertyValue('uid');
  const start = master.getFirstPropertyValue('dtstart');
  const allDay = start.isDate;
  const span = spanOf(master, start);
  const ends = periodEnds(master);
  const event = new ICAL.Event(master, { strictExceptions: true, exceptions: overrides });
  const used = new Set();
  const it = event.iterator();
  let next;
  let steps = 0;

  while ((next = it.next())) {
    if (++steps > 2000000) {
      skip(`${uid}: more than 2000000 steps`);
      break;
    }
    const t = times(next, span);
    if (t.start >= TO + 2 * DAY) break;
    const details = event.getOccurrenceDetails(next);
    if (details.item !== event) {
      used.add(details.item.component);
      emitOverride(details.item.component, allDay);
      continue;
    }
    if (!allDay && ends.has(t.start)) t.end = Math.max(t.start, ends.get(t.start));
    if (!allDay && span.kind !== 'days') {
      const theirs = details.endDate ? toUtc(details.endDate) : t.end;
      if (theirs !== t.end && overlaps(t.start, t.end) && !ends.has(t.start)) {
        out.icaljs_end_differs++;
      }
    }
    emit(uid, `${uid}/${allDay ? stampDay(t.day) : stampUtc(t.start)}`, t, master, allDay);
  }

  /* Overrides the expansion did not reach: on their own, unless EXDATEd. */
  const exdates = master.getAllProperties('exdate').flatMap((p) => p.getValues());
  for (const o of overrides) {
    if (used.has(o)) continue;
    const rid = o.getFirstPropertyValue('recurrence-id');
    const gone = exdates.some((x) => (x.isDate || allDay || rid.isDate
      ? dayNumber(x) === ridDay(rid) : toUtc(x) === toUtc(rid)));
    if (!gone) emitOverride(o, allDay);
  }
}

function main() {
  let jcal;
  try {
    jcal = ICAL.parse(fs.readFileSync(args.file, 'utf8'));
  } catch (e) {
    out.error = `ical.js cannot parse the file: ${e.message}`;
    return;
  }
  const roots = (typeof jcal[0] === 'string' ? [jcal] : jcal).map((j) => new ICAL.Component(j));
  const vevents = [];
  for (const root of roots) {
    if (root.name === 'vevent') vevents.push(root);
    if (root.name !== 'vcalendar') continue;
    for (const vtz of root.getAllSubcomponents('vtimezone')) {
      if (!usableVtimezone(vtz)) root.removeSubcomponent(vtz);
    }
    vevents.push(...root.getAllSubcomponents('vevent'));
  }

  const masters = new Map();
  const overrides = new Map();
  for (const ev of vevents) {
    let uid;
    try {
      uid = ev.getFirstPropertyValue('uid');
      if (!uid) { skip('an event without a UID'); continue; }
      if (!ev.getFirstPropertyValue('dtstart')) { skip(`${uid}: no DTSTART`); continue; }
      const isOverride = ev.hasProperty('recurrence-id');
      const map = isOverride ? overrides : masters;
      const k = isOverride ? `${uid}\u0000${ridKey(ev)}` : uid;
      if (!map.has(k) || better(ev, map.get(k))) map.set(k, ev);
    } catch (e) {
      skip(`${uid}: ${e.message}`);
    }
  }
  const byUid = new Map();
  for (const o of overrides.values()) {
    const uid = o.getFirstPropertyValue('uid');
    if (!byUid.has(uid)) byUid.set(uid, []);
    byUid.get(uid).push(o);
  }
  for (const [uid, master] of masters) {
    const mine = byUid.get(uid) || [];
    byUid.delete(uid);
    const before = out.occurrences.length;
    try {
      expandSeries(master, mine);
      out.events++;
    } catch (e) {
      out.occurrences.length = before;
      skip(`${uid}: ical.js: ${e.message}`);
    }
  }
  for (const list of byUid.values()) {
    for (const o of list) {
      try {
        emitOverride(o, false);
        out.events++;
      } catch (e) {
        skip(`${o.getFirstPropertyValue('uid')}: ical.js: ${e.message}`);
      }
    }
  }
  /*
   * A recurrence set is a set (RFC 5545 3.8.5.2): ical.js returns an RDATE
   * that the RRULE also produces twice; the first is kept, the rest counted.
   */
  const seen = new Set();
  out.occurrences = out.occurrences.filter((o) => {
    if (!seen.has(o.key)) return seen.add(o.key);
    out.icaljs_duplicates++;
    return false;
  });
  out.occurrences.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start));
}

main();
process.stdout.write(`${JSON.stringify(out)}\n`);
