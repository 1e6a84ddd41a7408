/*
 * nudge.h - whether today's end-of-day reminder is due (DESIGN.md section 7).
 * Pure: the day, the time of day, the gap and what was sent, in; due or not,
 * and why, out.  In this order, the first that holds says no:
 *
 *   not a workday          nobody is nudged on a weekend or a day off;
 *   before nudge.at        the day is not over yet;
 *   gap <= nudge.min-gap   what is missing is too little to be worth a message;
 *   sent already           one message per day, however often the check runs.
 */
#ifndef GL_NUDGE_H
#define GL_NUDGE_H

#include <stdbool.h>

typedef struct gl_nudge_facts {
    bool workday;
    int minute;     /* of the local day, now: 0..1439 */
    int at;         /* nudge.at, minutes of the local day */
    double gap;     /* hours of today still untracked (agent/gaps.h) */
    double min_gap; /* nudge.min-gap, hours */
    bool sent;      /* today's nudge went out already */
} gl_nudge_facts;

typedef struct gl_nudge_decision {
    bool due;
    bool worth_telling; /* the gap is worth a message (a dry run shows it even when not due) */
    char why[160];      /* why it is not due; empty when it is */
} gl_nudge_decision;

void gl_nudge_decide(const gl_nudge_facts *f, gl_nudge_decision *out);

#endif
