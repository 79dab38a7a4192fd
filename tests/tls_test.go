package tests

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"sluice/broker"
	"sluice/internal/testserver"
)

// pki is a test CA with a server and a client certificate, as PEM files.
type pki struct {
	dir                     string
	caFile                  string
	serverCert, serverKey   string
	clientCert, clientKey   string
	ca                      *x509.Certificate
	caKey                   *ecdsa.PrivateKey
	pool                    *x509.CertPool
	client                  tls.Certificate
	serverSerial, generated int64
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir(), pool: x509.NewCertPool()}
	p.caKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sluice test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	p.pool.AddCert(p.ca)
	p.caFile = p.write(t, "ca.pem", "CERTIFICATE", der)
	p.serverCert, p.serverKey = p.issue(t, "server", x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey = p.issue(t, "client", x509.ExtKeyUsageClientAuth)
	p.client, err = tls.LoadX509KeyPair(p.clientCert, p.clientKey)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// issue makes a certificate signed by the CA, in name.pem and name.key.
func (p *pki) issue(t *testing.T, name string, usage x509.ExtKeyUsage) (certFile, keyFile string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p.generated++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(100 + p.generated), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if name == "server" {
		p.serverSerial = 100 + p.generated
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return p.write(t, name+".pem", "CERTIFICATE", der), p.write(t, name+".key", "EC PRIVATE KEY", kder)
}

func (p *pki) write(t *testing.T, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (p *pki) config(authClients string) broker.TLSConfig {
	return broker.TLSConfig{CertFile: p.serverCert, KeyFile: p.serverKey, CAFile: p.caFile, AuthClients: authClients}
}

// clientTLS is a client configuration trusting the CA, with the client
// certificate or without.
func (p *pki) clientTLS(withCert bool) *tls.Config {
	c := &tls.Config{RootCAs: p.pool, ServerName: "127.0.0.1"}
	if withCert {
		c.Certificates = []tls.Certificate{p.client}
	}
	return c
}

// serverSerialSeen is the serial of the certificate a new TLS connection
// is shown.
func serverSerialSeen(t *testing.T, addr string, conf *tls.Config) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, conf)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

func TestTLSClients(t *testing.T) {
	p := newPKI(t)
	log := &logBuffer{}
	_, tlsAddr, _ := testserver.StartTLS(t, broker.Config{Dir: t.TempDir(), TLS: p.config("yes"),
		Logger: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: tlsAddr, TLSConfig: p.clientTLS(true)})
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(tlsAddr)
	eq(t, "tls-port", c.ConfigGet(ctx, "tls-port").Val()["tls-port"], port)
	eq(t, "tls-auth-clients", c.ConfigGet(ctx, "tls-auth-clients").Val()["tls-auth-clients"], "yes")
	if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "s", Values: []string{"f", "v"}}).Err(); err != nil {
		t.Fatal(err)
	}

	// tls-auth-clients yes: no client certificate, no connection.
	noCert := redis.NewClient(&redis.Options{Addr: tlsAddr, TLSConfig: p.clientTLS(false), MaxRetries: -1})
	defer noCert.Close()
	if err := noCert.Ping(ctx).Err(); err == nil {
		t.Fatal("a client without a certificate was served")
	}
	// optional: a client without one is served, one with a bad one not.
	if err := c.ConfigSet(ctx, "tls-auth-clients", "optional").Err(); err != nil {
		t.Fatal(err)
	}
	if err := noCert.Ping(ctx).Err(); err != nil {
		t.Fatalf("optional: %v", err)
	}
	// TLS 1.1 is refused.
	old := p.clientTLS(true)
	old.MaxVersion = tls.VersionTLS11
	if conn, err := tls.Dial("tcp", tlsAddr, old); err == nil {
		conn.Close()
		t.Fatal("TLS 1.1 accepted")
	}

	// A plaintext client on the TLS port is closed cleanly, with nothing
	// sent, and the server goes on.
	got, closed := rawSend(t, tlsAddr, "PING\r\n", 5*time.Second)
	if got != "" || !closed {
		t.Fatalf("plaintext on the TLS port: %q (closed %v)", got, closed)
	}
	waitFor(t, func() bool { return strings.Contains(log.String(), "TLS handshake failed") })
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
}

func TestTLSRedisCLI(t *testing.T) {
	p := newPKI(t)
	_, tlsAddr, _ := testserver.StartTLS(t, broker.Config{Dir: t.TempDir(), TLS: p.config("yes")})
	path, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed")
	}
	host, port, _ := net.SplitHostPort(tlsAddr)
	cli := func(args ...string) string {
		out, _ := exec.Command(path, append([]string{"-h", host, "-p", port}, args...)...).CombinedOutput()
		return strings.TrimSpace(string(out))
	}
	if out := cli("--tls", "--cacert", p.caFile, "PING"); strings.Contains(out, "not supported") {
		t.Skip("redis-cli built without TLS")
	}
	eq(t, "redis-cli --tls with a client certificate",
		cli("--tls", "--cacert", p.caFile, "--cert", p.clientCert, "--key", p.clientKey, "XADD", "s", "1-1", "f", "v"), "1-1")
	if out := cli("--tls", "--cacert", p.caFile, "PING"); out == "PONG" {
		t.Fatal("redis-cli without a client certificate was served")
	}
	// Plaintext redis-cli on the TLS port.
	if out := cli("PING"); out == "PONG" || !strings.Contains(out, "closed") && !strings.Contains(out, "reset") {
		t.Fatalf("plaintext redis-cli on the TLS port: %q", out)
	}
}

// A new certificate under the same file names is served after SIGHUP's
// reload or CONFIG SET tls-cert-file, without dropping the connections
// made before; a certificate that does not load changes nothing.
func TestTLSReload(t *testing.T) {
	p := newPKI(t)
	_, tlsAddr, b := testserver.StartTLS(t, broker.Config{Dir: t.TempDir(), TLS: p.config("optional")})
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: tlsAddr, TLSConfig: p.clientTLS(true), PoolSize: 1})
	defer c.Close()
	id := c.ClientID(ctx).Val()
	first := p.serverSerial
	eq(t, "first certificate", serverSerialSeen(t, tlsAddr, p.clientTLS(true)), first)

	p.issue(t, "server", x509.ExtKeyUsageServerAuth) // same files, new certificate
	eq(t, "before the reload", serverSerialSeen(t, tlsAddr, p.clientTLS(true)), first)
	if err := b.ReloadTLS(); err != nil {
		t.Fatal(err)
	}
	eq(t, "after SIGHUP's reload", serverSerialSeen(t, tlsAddr, p.clientTLS(true)), p.serverSerial)

	p.issue(t, "server", x509.ExtKeyUsageServerAuth)
	if err := c.Do(ctx, "CONFIG", "SET", "tls-cert-file", p.serverCert, "tls-key-file", p.serverKey).Err(); err != nil {
		t.Fatal(err)
	}
	eq(t, "after CONFIG SET", serverSerialSeen(t, tlsAddr, p.clientTLS(true)), p.serverSerial)

	// A certificate without its key: refused, nothing changed.
	wantErr(t, c.ConfigSet(ctx, "tls-cert-file", p.caFile).Err(),
		"ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable to update TLS configuration. Check server logs.")
	eq(t, "tls-cert-file", c.ConfigGet(ctx, "tls-cert-file").Val()["tls-cert-file"], p.serverCert)
	eq(t, "still served", serverSerialSeen(t, tlsAddr, p.clientTLS(true)), p.serverSerial)
	// The connection made before every reload is still the same one.
	eq(t, "CLIENT ID", c.ClientID(ctx).Val(), id)
}

func TestTLSConfigErrors(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct {
		cfg  broker.TLSConfig
		want string
	}{
		{broker.TLSConfig{CertFile: p.serverCert, KeyFile: p.serverKey}, "Either tls-ca-cert-file or tls-ca-cert-dir must be specified"},
		{broker.TLSConfig{CertFile: p.serverCert, KeyFile: p.clientKey, AuthClients: "no"}, "private key does not match public key"},
		{broker.TLSConfig{Addr: "127.0.0.1:0", AuthClients: "no"}, "TLS needs a certificate and its key"},
		{broker.TLSConfig{CertFile: p.serverCert, KeyFile: p.serverKey, AuthClients: "maybe"}, "must be yes, no or optional"},
	} {
		if _, err := broker.Open(broker.Config{Dir: t.TempDir(), TLS: tc.cfg}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// With the TLS flags, the HTTP server speaks HTTPS with the same
// certificate, and asks browsers for no client certificate.
func TestTLSForHTTP(t *testing.T) {
	p := newPKI(t)
	_, httpAddr, _ := testserver.StartHTTP(t, broker.Config{Dir: t.TempDir(), TLS: p.config("yes")})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: p.clientTLS(false)}}
	res, err := client.Get("https://" + httpAddr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.TLS == nil {
		t.Fatalf("GET /healthz over HTTPS: %s, TLS %v", res.Status, res.TLS != nil)
	}
	// Go's server answers plain HTTP on a TLS port with 400 and nothing else.
	if res, err := http.Get("http://" + httpAddr + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("plain HTTP on the HTTPS port: %s", res.Status)
		}
	}
}
