/*
 * nudge.c - whether today's reminder is due.
 */
#include "nudge.h"

#include <stdio.h>
#include <string.h>

void gl_nudge_decide(const gl_nudge_facts *f, gl_nudge_decision *out)
{
    memset(out, 0, sizeof(*out));
    out->worth_telling = f->workday && f->gap > f->min_gap;
    if (!f->workday)
        snprintf(out->why, sizeof(out->why), "today is not a workday");
    else if (f->minute < f->at)
        snprintf(out->why, sizeof(out->why), "not before %02d:%02d (nudge.at)", f->at / 60,
                 f->at % 60);
    else if (f->gap <= f->min_gap)
        snprintf(out->why, sizeof(out->why), "the gap, %.2f h, is not over %.2f h (nudge.min-gap)",
                 f->gap, f->min_gap);
    else if (f->sent)
        snprintf(out->why, sizeof(out->why), "today's nudge was sent already");
    else
        out->due = true;
}
