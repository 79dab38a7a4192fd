package httpd

import (
	"fmt"
	"net/http"
)

// healthz is liveness: the process answers. It asks for no password, so
// an orchestrator needs none, and says nothing about the data.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz is readiness: 200 once recovery has finished and sluice serves
// and takes writes; 503 with the reason while it recovers, while the log
// refuses writes (commands get MISCONF) and after an internal error.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.ready(); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready:", err)
		return
	}
	fmt.Fprintln(w, "ready")
}

func (s *Server) ready() error {
	if !s.recovered.Load() {
		return errRecovering
	}
	if s.cfg.Ready == nil {
		return nil
	}
	return s.cfg.Ready()
}

var errRecovering = fmt.Errorf("recovering the data directory")
