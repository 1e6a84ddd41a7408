/*
 * smtp.c - one message per connection through libcurl's SMTP and MIME API.
 */
#include "smtp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "connectors/http.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/str.h"
#include "util/tz.h"

#define DEFAULT_TIMEOUT_MS 60000
/* An encoded word is at most 75 characters: "=?UTF-8?B?" + base64 + "?=". */
#define WORD_BYTES 45

static bool printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

char *gl_smtp_encode_header(const char *text)
{
    gl_buf b = GL_BUF_INIT(0);
    size_t len = strlen(text), at = 0;

    if (printable_ascii(text))
        return gl_strdup(text);
    while (at < len) {
        unsigned char out[4 * WORD_BYTES / 3 + 8];
        size_t n = len - at > WORD_BYTES ? WORD_BYTES : len - at;
        /* Never cut a UTF-8 sequence: back up to the start of a character. */
        while (n > 0 && at + n < len && ((unsigned char)text[at + n] & 0xc0) == 0x80)
            n--;
        if (n == 0)
            n = len - at > WORD_BYTES ? WORD_BYTES : len - at;
        EVP_EncodeBlock(out, (const unsigned char *)text + at, (int)n);
        gl_buf_printf(&b, "%s=?UTF-8?B?%s?=", at ? "\r\n " : "", (const char *)out);
        at += n;
    }
    return gl_buf_detach(&b);
}

/* RFC 5322: "Thu, 03 Dec 2026 09:00:00 +0000", in UTC, independent of the locale. */
static void date_header(char *out, size_t len, int64_t t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    gl_local_time lt;

    if (gl_tz_to_local(&lt, "UTC", t) < 0) {
        snprintf(out, len, "Thu, 01 Jan 1970 00:00:00 +0000");
        return;
    }
    snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[lt.weekday], lt.day,
             months[lt.month - 1], lt.year, lt.hour, lt.minute, lt.second);
}

/* Mail lines end in CRLF (RFC 5322); a bare LF would be encoded as data. */
static char *crlf(const char *text)
{
    gl_buf b = GL_BUF_INIT(0);

    for (const char *p = text; *p; p++) {
        if (*p == '\n' && (p == text || p[-1] != '\r'))
            gl_buf_puts(&b, "\r\n");
        else
            gl_buf_append(&b, p, 1);
    }
    return b.ptr ? gl_buf_detach(&b) : gl_strdup("");
}

static struct curl_slist *add(struct curl_slist *list, const char *line, bool *ok)
{
    struct curl_slist *l;
    if (!line || !(l = curl_slist_append(list, line))) {
        *ok = false;
        return list;
    }
    return l;
}

static int check_url(const char *url, char *host, size_t hostlen, bool *smtps)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL;
    int rc = GL_OK;

    if (!u)
        return gl_error_set(GL_ENOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
        rc = gl_error_set(GL_ECONFIG, "smtp.url = '%s' is not a URL (smtps://host:465)", url);
    else if (strcasecmp(scheme, "smtps") != 0 && strcasecmp(scheme, "smtp") != 0)
        rc = gl_error_set(GL_ECONFIG, "smtp.url must start with smtps:// or smtp://, not %s://",
                          scheme);
    if (rc == GL_OK) {
        *smtps = strcasecmp(scheme, "smtps") == 0;
        snprintf(host, hostlen, "%s", h);
    }
    curl_free(scheme);
    curl_free(h);
    curl_url_cleanup(u);
    return rc;
}

int gl_smtp_send(const gl_smtp_options *o, const gl_mail *m)
{
    CURL *c = NULL;
    curl_mime *mime = NULL, *alt = NULL;
    curl_mimepart *part;
    struct curl_slist *rcpt = NULL, *headers = NULL, *inline_hdr = NULL;
    char errbuf[CURL_ERROR_SIZE] = "", host[256], date[64], *subject = NULL, *line = NULL;
    char from[320], *text = NULL, *html = NULL;
    bool ok = true, smtps = false;
    CURLcode cc;
    long response = 0;
    int rc;

    if (!o->url || !o->from)
        return gl_error_set(GL_ECONFIG, "email needs smtp.url and smtp.from");
    if (!m->nto)
        return gl_error_set(GL_EINVAL, "an email needs at least one recipient");
    if ((rc = check_url(o->url, host, sizeof(host), &smtps)) < 0)
        return rc;
    if (!(c = curl_easy_init()) ||
        !(subject = gl_smtp_encode_header(m->subject ? m->subject : "")) ||
        !(text = crlf(m->text)) || (m->html && !(html = crlf(m->html)))) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(from, sizeof(from), "<%s>", o->from);
    for (size_t i = 0; i < (m->rcpt ? m->nrcpt : m->nto); i++) {
        char to[330];
        snprintf(to, sizeof(to), "<%s>", m->rcpt ? m->rcpt[i] : m->to[i]);
        rcpt = add(rcpt, to, &ok);
    }
    date_header(date, sizeof(date), m->date);
    free(line);
    headers = add(headers, (line = gl_strdupf("Date: %s", date)), &ok);
    free(line);
    headers = add(headers, (line = gl_strdupf("From: gleaner <%s>", o->from)), &ok);
    free(line);
    {
        gl_buf to = GL_BUF_INIT(0);
        gl_buf_puts(&to, "To: ");
        for (size_t i = 0; i < m->nto; i++)
            gl_buf_printf(&to, "%s<%s>", i ? ", " : "", m->to[i]);
        headers = add(headers, gl_buf_cstr(&to), &ok);
        gl_buf_dispose(&to);
    }
    headers = add(headers, (line = gl_strdupf("Subject: %s", subject)), &ok);
    free(line);
    line = NULL;
    if (m->message_id) {
        headers = add(headers, (line = gl_strdupf("Message-ID: %s", m->message_id)), &ok);
        free(line);
        line = NULL;
    }
    headers = add(headers, "MIME-Version: 1.0", &ok);
    headers = add(headers, "Auto-Submitted: auto-generated", &ok);
    inline_hdr = add(inline_hdr, "Content-Disposition: inline", &ok);
    if (!ok) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }

    /* multipart/alternative: the text first, the HTML last (the one a mail client prefers). */
    mime = curl_mime_init(c);
    alt = curl_mime_init(c);
    if (!mime || !alt) {
        rc = gl_error_set(GL_ENOMEM, "out of memory");
        goto done;
    }
    part = curl_mime_addpart(alt);
    curl_mime_data(part, text, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=utf-8");
    curl_mime_encoder(part, "quoted-printable");
    if (html) {
        part = curl_mime_addpart(alt);
        curl_mime_data(part, html, CURL_ZERO_TERMINATED);
        curl_mime_type(part, "text/html; charset=utf-8");
        curl_mime_encoder(part, "quoted-printable");
    }
    part = curl_mime_addpart(mime);
    curl_mime_subparts(part, alt);
    alt = NULL; /* owned by the part now */
    curl_mime_type(part, "multipart/alternative");
    curl_mime_headers(part, inline_hdr, 1);
    inline_hdr = NULL;

    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    /* TLS always, verified: STARTTLS is required on smtp:// except to this machine itself. */
    if (!smtps)
        curl_easy_setopt(c, CURLOPT_USE_SSL,
                         gl_http_is_loopback(host) ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
    if (o->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, o->password ? o->password : "");
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    gl_trace("smtp", "sending \"%s\" to %zu recipient(s) through %s", m->subject ? m->subject : "",
             m->nto, host);
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response);
    if (cc == CURLE_OK) {
        rc = GL_OK;
    } else if (cc == CURLE_LOGIN_DENIED) {
        rc = gl_error_set(GL_EAUTH,
                          "%s refused the login for %s (check smtp.user and "
                          "smtp.password-file)",
                          host, o->user ? o->user : "?");
    } else if (cc == CURLE_USE_SSL_FAILED) {
        rc = gl_error_set(GL_EINSECURE,
                          "%s does not offer STARTTLS; use smtps:// (port 465) or a server that "
                          "does",
                          host);
    } else if (cc == CURLE_RECV_ERROR && response >= 500) {
        rc = gl_error_set(GL_EREJECTED, "%s refused the message (%ld): %s", host, response,
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
    } else if (cc == CURLE_SEND_ERROR && response >= 500) {
        rc = gl_error_set(GL_EREJECTED, "%s refused a recipient (%ld): %s", host, response,
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        rc = gl_error_set(GL_ETIMEOUT, "%s: no answer in time (%s)", host,
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
    } else if (response >= 500 && response < 600) {
        rc = gl_error_set(GL_EREJECTED, "%s refused the message (%ld): %s", host, response,
                          errbuf[0] ? errbuf : curl_easy_strerror(cc));
    } else {
        rc = gl_error_set(GL_ENETWORK, "%s: %s", host, errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }

done:
    curl_mime_free(mime);
    curl_mime_free(alt);
    curl_slist_free_all(rcpt);
    curl_slist_free_all(headers);
    curl_slist_free_all(inline_hdr);
    curl_easy_cleanup(c);
    free(subject);
    free(text);
    free(html);
    return rc;
}
