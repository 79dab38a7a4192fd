package httpd

import (
	"fmt"
	"net/http"
	"runtime/debug"
)

// routes is every path the server answers, each wrapped as it needs:
// /healthz open to all, the rest behind the password, and the page, the
// API and /metrics only once the data is loaded.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /readyz", s.auth(http.HandlerFunc(s.readyz)))
	loaded := func(h http.HandlerFunc) http.Handler { return s.auth(s.loaded(h)) }
	mux.Handle("GET /metrics", loaded(s.metricsHandler()))
	mux.Handle("GET /api/v1/overview", loaded(s.apiOverview))
	mux.Handle("GET /api/v1/streams", loaded(s.apiStreams))
	mux.Handle("GET /api/v1/history", loaded(s.apiHistory))
	mux.Handle("POST /api/v1/redrive", loaded(s.apiRedrive))
	mux.Handle("GET /{$}", s.auth(http.HandlerFunc(s.page)))
	mux.Handle("GET /static/", s.auth(staticFiles()))
	return s.recover(securityHeaders(mux))
}

// recover answers 500 to a request whose handler panicked and logs it;
// the server, and every other request, go on. (net/http would recover
// too, but only by dropping the connection, and logging to the standard
// logger.)
func (s *Server) recover(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { // net/http's way to drop a response
				panic(v)
			}
			s.log.Error("http handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}()
		h.ServeHTTP(w, r)
	})
}

// securityHeaders keeps the page to itself: no framing, no content
// sniffing, nothing loaded from elsewhere.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

// auth asks for a user and password, as AUTH does, when the server's
// users need one: HTTP basic auth, checked by the ACL (passwords compared
// as hashes in constant time).
func (s *Server) auth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Users.Open() {
			h.ServeHTTP(w, r)
			return
		}
		if user, pass, ok := r.BasicAuth(); ok && s.cfg.Users.Login(user, pass) {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="sluice", charset="UTF-8"`)
		http.Error(w, "authentication required (user default and the requirepass password, or an ACL user who may run every command on every key)", http.StatusUnauthorized)
	})
}

// loaded answers 503 until the broker has loaded its data.
func (s *Server) loaded(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.recovered.Load() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "starting: recovering the data directory", http.StatusServiceUnavailable)
			return
		}
		h(w, r)
	})
}
