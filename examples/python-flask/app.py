"""The seed's Flask app: signs in with Sundown through Authlib (OIDC code flow) and receives
back-channel logout (OpenID Connect Back-Channel Logout 1.0), validated with PyJWT.

Run against a Sundown started with `--http-relative-path /auth` (the seed's Keycloak URLs):

    SUNDOWN_URL=http://localhost:8080/auth SUNDOWN_REALM=seed \
    CLIENT_ID=flask-app CLIENT_SECRET=flask-app-secret PORT=5000 python3 app.py

Debian packages: python3-flask python3-authlib python3-requests python3-jwt.
"""

import os
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit

import jwt
from flask import Flask, jsonify, redirect, request, session, url_for
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

SUNDOWN_URL = os.environ.get("SUNDOWN_URL", "http://localhost:8080/auth").rstrip("/")
REALM = os.environ.get("SUNDOWN_REALM", "seed")
CLIENT_ID = os.environ.get("CLIENT_ID", "flask-app")
CLIENT_SECRET = os.environ.get("CLIENT_SECRET", "flask-app-secret")
PORT = int(os.environ.get("PORT", "5000"))
ISSUER = f"{SUNDOWN_URL}/realms/{REALM}"
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"

# Authlib refuses plain-http token endpoints except on `localhost`; a provider on this machine
# (127.0.0.1 included) is as private. Never set this for a provider on another host.
if urlsplit(ISSUER).scheme == "http" and urlsplit(ISSUER).hostname in ("localhost", "127.0.0.1", "::1"):
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

from authlib.integrations.flask_client import OAuth  # noqa: E402 (after the transport setting)


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, sid, data=None):
        super().__init__(data or {})
        self.sid = sid


class ServerSideSessions(SessionInterface):
    """Sessions kept in this process, the cookie holding only a random id, so a back-channel
    logout (a server-to-server call, no browser cookie) can end the browser's session. A real
    deployment with several processes would keep them in Redis or a database instead."""

    def __init__(self):
        self.store = {}
        self.lock = threading.Lock()

    def open_session(self, app, req):
        sid = req.cookies.get(app.config["SESSION_COOKIE_NAME"])
        with self.lock:
            data = self.store.get(sid) if sid else None
        return ServerSession(sid, dict(data)) if data is not None else ServerSession(uuid.uuid4().hex)

    def save_session(self, app, sess, response):
        name = app.config["SESSION_COOKIE_NAME"]
        with self.lock:
            if not sess:
                self.store.pop(sess.sid, None)
                if sess.modified:
                    response.delete_cookie(name, path="/")
                return
            self.store[sess.sid] = dict(sess)
        response.set_cookie(name, sess.sid, httponly=True, samesite="Lax", path="/")

    def end_matching(self, iss, sid, sub):
        """Ends every session the logout token names: by `sid`, or by `iss`+`sub` without one
        (BCL §2.7). Returns how many ended."""
        with self.lock:
            doomed = [
                key
                for key, data in self.store.items()
                if data.get("iss") == iss and ((sid and data.get("sid") == sid) or (not sid and data.get("sub") == sub))
            ]
            for key in doomed:
                del self.store[key]
        return len(doomed)


app = Flask(__name__)
app.secret_key = os.environ.get("FLASK_SECRET_KEY", uuid.uuid4().hex)
app.config["SESSION_COOKIE_NAME"] = "flask_session"
sessions = ServerSideSessions()
app.session_interface = sessions

oauth = OAuth(app)
oauth.register(
    "sundown",
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
    server_metadata_url=f"{ISSUER}/.well-known/openid-configuration",
    client_kwargs={"scope": "openid profile email"},
)
jwks = jwt.PyJWKClient(f"{ISSUER}/protocol/openid-connect/certs", cache_keys=True)


@app.get("/")
def home():
    user = session.get("user")
    if user:
        return f"<h1>Signed in as {user}</h1><p><a href='/logout'>Sign out</a></p>"
    return "<h1>Signed out</h1><p><a href='/login'>Sign in</a></p>"


@app.get("/login")
def login():
    return oauth.sundown.authorize_redirect(url_for("auth", _external=True))


@app.get("/auth")
def auth():
    token = oauth.sundown.authorize_access_token()
    claims = token["userinfo"]  # the validated ID token's claims (Authlib checks iss, aud, exp, nonce)
    session.clear()
    session.update(user=claims.get("preferred_username", claims["sub"]), iss=claims["iss"], sub=claims["sub"], sid=claims.get("sid"), id_token=token["id_token"])
    return redirect("/")


@app.get("/logout")
def logout():
    id_token = session.get("id_token")
    session.clear()
    end_session = oauth.sundown.load_server_metadata()["end_session_endpoint"]
    params = {"post_logout_redirect_uri": url_for("home", _external=True), "client_id": CLIENT_ID}
    if id_token:
        params["id_token_hint"] = id_token
    return redirect(f"{end_session}?{urlencode(params)}")


class InvalidLogoutToken(Exception):
    pass


def validate_logout_token(token):
    """BCL §2.6: signature by the issuer's keys, iss, aud, iat/exp, events, sub or sid, no nonce."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("typ") not in (None, "logout+jwt", "application/logout+jwt"):
            raise InvalidLogoutToken(f"unexpected typ {header.get('typ')}")
        key = jwks.get_signing_key_from_jwt(token).key
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256", "ES256", "PS256"],
            audience=CLIENT_ID,
            issuer=ISSUER,
            leeway=30,
            options={"require": ["iss", "aud", "iat"]},
        )
    except jwt.PyJWTError as err:
        raise InvalidLogoutToken(str(err)) from err
    events = claims.get("events")
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
        raise InvalidLogoutToken("events lack the back-channel logout event")
    if not claims.get("sid") and not claims.get("sub"):
        raise InvalidLogoutToken("neither sid nor sub")
    if "nonce" in claims:
        raise InvalidLogoutToken("a logout token never has a nonce")
    if claims["iat"] > time.time() + 30:
        raise InvalidLogoutToken("iat in the future")
    return claims


@app.post("/backchannel-logout")
def backchannel_logout():
    headers = {"Cache-Control": "no-store"}
    # As the seed reads it: a form field (BCL §2.5), or a query parameter from older clients.
    token = request.values.get("logout_token")
    if not token:
        return jsonify(error="invalid_request", error_description="missing logout_token"), 400, headers
    try:
        claims = validate_logout_token(token)
    except InvalidLogoutToken as err:
        return jsonify(error="invalid_request", error_description=str(err)), 400, headers
    ended = sessions.end_matching(claims["iss"], claims.get("sid"), claims.get("sub"))
    print(f"back-channel logout: {ended} session(s) ended (sid {claims.get('sid')})", flush=True)
    return "", 200, headers  # BCL §2.8: 200, also when no session matched


if __name__ == "__main__":
    print(f"flask-app listening on http://127.0.0.1:{PORT} (issuer {ISSUER})", flush=True)
    app.run(host="127.0.0.1", port=PORT, threaded=True)
