/*
 * smtp.h - email through libcurl's SMTP: smtps:// (TLS from the start) or
 * smtp:// with STARTTLS required (plain only to a loopback server, for
 * tests and local relays), optional login, and a MIME message with a text
 * and an HTML part (multipart/alternative) and proper headers: Date,
 * Message-ID, From, To, Subject encoded per RFC 2047 when not ASCII.
 *
 * The password is never logged and never appears in an error.
 */
#ifndef GL_SMTP_H
#define GL_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "util/clock.h"

typedef struct gl_smtp_options {
    const char *url;      /* smtps://host[:465] or smtp://host[:587]; required */
    const char *user;     /* login, or NULL */
    const char *password; /* borrowed; NULL without login */
    const char *from;     /* the sender address; required */
    long timeout_ms;      /* whole conversation; default 60 s */
} gl_smtp_options;

typedef struct gl_mail {
    const char *const *to; /* recipient addresses, for the To header */
    size_t nto;
    /* Whom to deliver to (RCPT TO), when not everyone in `to`; NULL: `to`. */
    const char *const *rcpt;
    size_t nrcpt;
    const char *subject;    /* UTF-8 */
    const char *text;       /* the text/plain part; required */
    const char *html;       /* the text/html part; NULL for text only */
    const char *message_id; /* "<key@host>", stable for one message: a resend is recognisable */
    int64_t date;           /* UTC seconds, for the Date header */
} gl_mail;

/*
 * gl_smtp_send - send `mail`.  GL_EAUTH when the login is refused,
 * GL_EREJECTED when the server refuses a recipient or the message,
 * GL_ENETWORK/GL_ETIMEOUT when it could not be delivered (the outcome may
 * be unknown), GL_EINSECURE for plain SMTP to a host that is not loopback
 * without STARTTLS.
 */
int gl_smtp_send(const gl_smtp_options *opts, const gl_mail *mail);

/*
 * gl_smtp_encode_header - `text` as a header value: as is when printable
 * ASCII, else RFC 2047 encoded words (=?UTF-8?B?...?=), each at most 75
 * characters and never splitting a character.  Caller frees.
 */
char *gl_smtp_encode_header(const char *text);

#endif
