package httpd

import (
	"embed"
	"io/fs"
	"net/http"
)

// The page is plain HTML, CSS and JavaScript embedded in the binary:
// no build step, nothing fetched from elsewhere at run time (the
// Content-Security-Policy in routes.go forbids it). It polls the JSON API.
//
//go:embed page
var pageFiles embed.FS

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	http.ServeFileFS(w, r, pageFiles, "page/index.html")
}

// staticFiles serves page/ under /static/.
func staticFiles() http.Handler {
	sub, err := fs.Sub(pageFiles, "page")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}
