vcl 4.1;
# ModelPress behind Varnish (issue 18): `make serve-edge`, bench/servers.py `varnish()`.
# The backend's address comes from varnishd's command line (-p / the -b helper writes it
# below as BACKEND_HOST/BACKEND_PORT); pages are purged by key from the app
# (config/lib/edge.py, EDGE_PURGE_URLS) with `PURGE` and an `xkey` header.

import std;
import xkey;

backend default {
    .host = "BACKEND_HOST";
    .port = "BACKEND_PORT";
    .connect_timeout = 5s;
    .first_byte_timeout = 60s;
}

# Who may purge: the app servers (here, this machine).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging not allowed"));
        }
        if (!req.http.xkey) {
            return (synth(400, "PURGE needs an xkey header"));
        }
        # Hard purges: the next request renders afresh (no grace for a purged page).
        set req.http.n-gone = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff, previews and share links are never cached: the back office (its own path, if
    # DJANGO_ADMIN_PATH moves it, sends no-store anyway and carries a session), previews,
    # anyone signed in (a session cookie) or with a message to read.
    if (req.url ~ "^/(admin|preview)/" || req.url ~ "^/[^?]*/preview/") {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Any other cookie (analytics, a stale csrftoken) changes nothing on a public page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # The app says what may be kept: public pages carry s-maxage and surrogate keys;
    # everything else is private or no-store, which Varnish's built-in logic passes.
    if (beresp.http.Cache-Control ~ "private|no-store" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    set beresp.grace = 0s;  # purges must be seen at once: no stale copy is ever served
}

sub vcl_deliver {
    # The keys are for this cache: readers need not see them.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Edge = "hit";
    } else {
        set resp.http.X-Edge = "miss";
    }
}
