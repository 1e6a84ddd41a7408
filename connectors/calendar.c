/*
 * calendar.c - what the calendar connectors share.
 */
#include "calendar.h"

const char *gl_partstat_name(gl_partstat p)
{
    switch (p) {
    case GL_PARTSTAT_ACCEPTED:
        return "accepted";
    case GL_PARTSTAT_TENTATIVE:
        return "tentative";
    case GL_PARTSTAT_DECLINED:
        return "declined";
    case GL_PARTSTAT_NEEDS_ACTION:
        return "needs-action";
    case GL_PARTSTAT_DELEGATED:
        return "delegated";
    case GL_PARTSTAT_NONE:
        break;
    }
    return NULL;
}
