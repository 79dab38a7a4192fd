package broker

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// TLSConfig is the TLS listener's configuration, with Redis's names.
type TLSConfig struct {
	// Addr is where the TLS listener listens (--tls-addr); empty: none.
	Addr              string
	CertFile, KeyFile string
	CAFile            string // CA of client certificates
	AuthClients       string // yes (default), no or optional
}

// certs serves the TLS listener its configuration: every handshake takes
// the one in force, so a reload (SIGHUP, CONFIG SET tls-cert-file) applies
// to new connections while the others go on.
type certs struct {
	mu      sync.Mutex
	files   TLSConfig // in force
	pending TLSConfig // staged by CONFIG SET, applied at its end
	conf    atomic.Pointer[tls.Config]
}

// newCerts loads the files of cfg; the listener's configuration is
// listener().
func newCerts(cfg TLSConfig) (*certs, error) {
	if cfg.AuthClients == "" {
		cfg.AuthClients = "yes"
	}
	c := &certs{files: cfg, pending: cfg}
	conf, err := loadTLS(cfg)
	if err != nil {
		return nil, err
	}
	c.conf.Store(conf)
	return c, nil
}

// loadTLS builds a configuration from files: TLS 1.2 or later, the
// certificate and key, and client certificates as tls-auth-clients says.
func loadTLS(f TLSConfig) (*tls.Config, error) {
	if f.CertFile == "" || f.KeyFile == "" {
		return nil, errors.New("TLS needs a certificate and its key (--tls-cert-file, --tls-key-file)")
	}
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s and key %s: %w", f.CertFile, f.KeyFile, err)
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if f.CAFile != "" {
		pem, err := os.ReadFile(f.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS CA certificates: %w", err)
		}
		conf.ClientCAs = x509.NewCertPool()
		if !conf.ClientCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA certificates: no certificate in %s", f.CAFile)
		}
	}
	switch strings.ToLower(f.AuthClients) {
	case "yes":
		conf.ClientAuth = tls.RequireAndVerifyClientCert
	case "optional":
		conf.ClientAuth = tls.VerifyClientCertIfGiven
	case "no":
		conf.ClientAuth = tls.NoClientCert
	default:
		return nil, fmt.Errorf("tls-auth-clients %q: must be yes, no or optional", f.AuthClients)
	}
	if conf.ClientAuth != tls.NoClientCert && conf.ClientCAs == nil {
		// Redis's words for the same mistake.
		return nil, errors.New("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!")
	}
	return conf, nil
}

// listener is the configuration a TLS listener is made with.
// web is the HTTP server's TLS configuration: the same certificate, kept
// current the same way, without asking browsers for client certificates.
func (c *certs) web() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return &c.conf.Load().Certificates[0], nil
		},
	}
}

func (c *certs) listener() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return c.conf.Load(), nil },
	}
}

// reload loads the files in force again (SIGHUP: renewed certificates
// under the same names).
func (c *certs) reload() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	conf, err := loadTLS(c.files)
	if err != nil {
		return err
	}
	c.conf.Store(conf)
	return nil
}

// stage records a file or setting of a CONFIG SET; apply loads them all.
func (c *certs) stage(set func(f *TLSConfig)) {
	c.mu.Lock()
	set(&c.pending)
	c.mu.Unlock()
}

// apply puts the staged files in force if they load; else the ones in
// force stay (and CONFIG SET stages them again as it undoes itself).
func (c *certs) apply() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	conf, err := loadTLS(c.pending)
	if err != nil {
		return err
	}
	c.files = c.pending
	c.conf.Store(conf)
	return nil
}

// addTLSConfig gives CONFIG the TLS files and tls-auth-clients: a CONFIG
// SET stages its values and they take effect together at its end, or not
// at all (Redis's "Unable to update TLS configuration").
func (b *Broker) addTLSConfig() {
	if b.tls == nil {
		return
	}
	f := b.tls.files
	param := func(name, value string, set func(f *TLSConfig, v string)) {
		b.eng.ConfigParam(name, value, func(v string) error {
			b.tls.stage(func(f *TLSConfig) { set(f, v) })
			return nil
		})
	}
	param("tls-cert-file", f.CertFile, func(f *TLSConfig, v string) { f.CertFile = v })
	param("tls-key-file", f.KeyFile, func(f *TLSConfig, v string) { f.KeyFile = v })
	param("tls-ca-cert-file", f.CAFile, func(f *TLSConfig, v string) { f.CAFile = v })
	param("tls-auth-clients", strings.ToLower(f.AuthClients), func(f *TLSConfig, v string) { f.AuthClients = v })
	b.eng.ConfigApply(func() error {
		if err := b.tls.apply(); err != nil {
			b.log.Warn("TLS configuration not changed", "err", err)
			return errors.New("Unable to update TLS configuration. Check server logs.")
		}
		b.log.Info("TLS configuration changed")
		return nil
	}, "tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-auth-clients")
}
