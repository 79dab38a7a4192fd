// Command sluice is a Redis-protocol broker for Redis Streams with a
// write-ahead log: `sluice` serves, `sluice bench` measures, `sluice check`
// verifies a data directory offline.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"sluice/bench"
	"sluice/broker"
	"sluice/httpd"
	"sluice/kernel"
	"sluice/wal"
)

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "sluice:", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	flags := fileFlags(serveFlags())
	return &cli.App{
		Name:  "sluice",
		Usage: "Redis Streams broker with a write-ahead log (speaks RESP2/RESP3)",
		Description: "Point any Redis client at it: XADD, XREADGROUP, XACK, XAUTOCLAIM and the rest of the\n" +
			"Redis 8 stream commands, with every acknowledged write in a checksummed log.",
		Flags:    append(append([]cli.Flag{}, flags...), configFlag),
		Before:   loadConfig(flags),
		Action:   serve,
		Commands: []*cli.Command{bench.Command(), checkCommand()},
	}
}

func serveFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "addr", Value: "127.0.0.1:6379", Usage: "listen address ('': no plaintext listener)", EnvVars: []string{"SLUICE_ADDR"}},
		&cli.StringFlag{Name: "tls-addr", Usage: "TLS listen address, beside --addr", EnvVars: []string{"SLUICE_TLS_ADDR"}},
		&cli.StringFlag{Name: "tls-cert-file", Usage: "TLS certificate (PEM); reloaded on SIGHUP", EnvVars: []string{"SLUICE_TLS_CERT_FILE"}},
		&cli.StringFlag{Name: "tls-key-file", Usage: "TLS private key (PEM)", EnvVars: []string{"SLUICE_TLS_KEY_FILE"}},
		&cli.StringFlag{Name: "tls-ca-cert-file", Usage: "CA certificates (PEM) that sign client certificates", EnvVars: []string{"SLUICE_TLS_CA_CERT_FILE"}},
		&cli.StringFlag{Name: "tls-auth-clients", Value: "yes", Usage: "client certificates: yes (required), optional or no", EnvVars: []string{"SLUICE_TLS_AUTH_CLIENTS"}},
		&cli.StringFlag{Name: "dir", Value: "./data", Usage: "data directory (log and snapshots)", EnvVars: []string{"SLUICE_DIR"}},
		&cli.StringFlag{Name: "requirepass", Usage: "password of the default user (AUTH)", EnvVars: []string{"SLUICE_REQUIREPASS"}},
		&cli.StringFlag{Name: "aclfile", Usage: "ACL file of users and their rules (ACL LOAD, ACL SAVE); not with --requirepass", EnvVars: []string{"SLUICE_ACLFILE"}},
		&cli.IntFlag{Name: "databases", Value: 16, Usage: "number of databases (SELECT 0..N-1)", EnvVars: []string{"SLUICE_DATABASES"}},
		&cli.StringFlag{Name: "appendfsync", Value: "everysec", Usage: "fsync policy: always, everysec or no", EnvVars: []string{"SLUICE_APPENDFSYNC"}},
		&cli.DurationFlag{Name: "snapshot-interval", Value: broker.DefaultSnapshotInterval,
			Usage: "longest time between snapshots while anything changes (negative: never)", EnvVars: []string{"SLUICE_SNAPSHOT_INTERVAL"}},
		&cli.Int64Flag{Name: "snapshot-after-changes", Value: broker.DefaultSnapshotAfterChanges,
			Usage: "snapshot after this many changes (negative: never)", EnvVars: []string{"SLUICE_SNAPSHOT_AFTER_CHANGES"}},
		&cli.StringFlag{Name: "block-cache", Value: "64mb",
			Usage: "memory for stream blocks read back from disk and just written (0: none)", EnvVars: []string{"SLUICE_BLOCK_CACHE"}},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error", EnvVars: []string{"SLUICE_LOG_LEVEL"}},
		&cli.StringFlag{Name: "log-format", Value: "text", Usage: "text or json (one JSON object per line)", EnvVars: []string{"SLUICE_LOG_FORMAT"}},
		&cli.StringFlag{Name: "http-addr", Usage: "serve metrics, the web page and health probes here (e.g. 127.0.0.1:8222; default off)",
			EnvVars: []string{"SLUICE_HTTP_ADDR"}},
		&cli.IntFlag{Name: "metrics-max-streams", Value: httpd.DefaultMaxStreams,
			Usage: "streams with their own series in /metrics, the longest first; the rest are summed as stream=\"_other\"", EnvVars: []string{"SLUICE_METRICS_MAX_STREAMS"}},
		&cli.BoolFlag{Name: "repair", Usage: "start even if the log is damaged: cut it at the damage, dropping every record after it (copies kept as .broken)",
			EnvVars: []string{"SLUICE_REPAIR"}},
		&cli.Int64Flag{Name: "maxclients", Value: 10000, Usage: "most clients connected at once (reduced at start if the open file limit is lower)",
			EnvVars: []string{"SLUICE_MAXCLIENTS"}},
		&cli.Int64Flag{Name: "timeout", Usage: "close clients idle for this many seconds (0: never)", EnvVars: []string{"SLUICE_TIMEOUT"}},
		&cli.StringFlag{Name: "client-output-buffer-limit", Usage: "as Redis's: 'normal <hard> <soft> <seconds>' (default: no limit for normal clients)",
			EnvVars: []string{"SLUICE_CLIENT_OUTPUT_BUFFER_LIMIT"}},
		&cli.StringFlag{Name: "protected-mode", Value: "yes", Usage: "yes: while the default user has no password, serve only clients on the loopback interface",
			EnvVars: []string{"SLUICE_PROTECTED_MODE"}},
		&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile to this file until shutdown", Hidden: true},
		&cli.StringFlag{Name: "trace", Usage: "write a runtime execution trace to this file until shutdown", Hidden: true},
	}, paramFlags()...)
}

// paramFlag is a flag that sets a CONFIG parameter of the same name at
// start; CONFIG SET changes it later.
type paramFlag struct {
	name, usage string
	duration    bool // a Go duration ("24h") or milliseconds
}

var paramFlagList = []paramFlag{
	{"maxmemory", "refuse commands that add data past this much memory (e.g. 2gb; 0: no limit)", false},
	{"stream-max-age", "new streams drop entries older than this (e.g. 168h, or ms; 0: keep)", true},
	{"stream-max-len", "new streams keep at most this many entries (0: no limit)", false},
	{"stream-max-bytes", "new streams keep at most this many bytes of entries (e.g. 1gb; 0: no limit)", false},
	{"stream-discard", "what a full new stream does: old (trim), new (refuse) or acked (trim acked, else refuse)", false},
	{"group-max-deliver", "new groups dead-letter an entry after this many deliveries (0: never)", false},
	{"group-ack-wait", "new groups hand out again entries unacked for this long (e.g. 30s, or ms; 0: never)", true},
	{"group-dead-letter", "the dead-letter stream of new groups (default <key>:dlq)", false},
}

func paramFlags() []cli.Flag {
	var out []cli.Flag
	for _, p := range paramFlagList {
		out = append(out, &cli.StringFlag{Name: p.name, Usage: p.usage,
			EnvVars: []string{"SLUICE_" + strings.ToUpper(strings.ReplaceAll(p.name, "-", "_"))}})
	}
	return out
}

// params collects the parameter flags given, durations turned into ms;
// the broker checks the values as CONFIG SET does.
func params(c *cli.Context) map[string]string {
	out := map[string]string{}
	for _, p := range paramFlagList {
		if !c.IsSet(p.name) {
			continue
		}
		v := c.String(p.name)
		if p.duration {
			if d, err := time.ParseDuration(v); err == nil {
				v = strconv.FormatInt(d.Milliseconds(), 10)
			}
		}
		out[p.name] = v
	}
	return out
}

func serve(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("unknown command %q (see --help)", c.Args().First())
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger, err := newLogger(c.String("log-format"), level)
	if err != nil {
		return err
	}
	slog.SetDefault(logger)
	fsync, err := wal.ParsePolicy(strings.ToLower(c.String("appendfsync")))
	if err != nil {
		return fmt.Errorf("--appendfsync: %w", err)
	}
	if c.Int("databases") < 1 {
		return errors.New("--databases must be at least 1")
	}
	if c.Int("metrics-max-streams") < 1 {
		return errors.New("--metrics-max-streams must be at least 1")
	}
	cache, err := kernel.CheckMemory(c.String("block-cache"))
	if err != nil {
		return fmt.Errorf("--block-cache: %w", err)
	}
	blockCache, _ := strconv.ParseInt(cache, 10, 64)
	if blockCache == 0 {
		blockCache = -1 // none; 0 would mean the default
	}
	if n := c.Int64("maxclients"); n < 1 || n > 1<<32-1 {
		return errors.New("--maxclients must be between 1 and 4294967295")
	}
	if n := c.Int64("timeout"); n < 0 || n > 1<<31-1 {
		return errors.New("--timeout must be between 0 and 2147483647")
	}
	protected := strings.ToLower(c.String("protected-mode"))
	if protected != "yes" && protected != "no" {
		return errors.New("--protected-mode must be yes or no")
	}
	// The profiles cover recovery too.
	stopProfiles, err := startProfiles(c.String("cpuprofile"), c.String("trace"))
	if err != nil {
		return err
	}
	defer stopProfiles()
	// The GC is tuned from before recovery, which allocates the most.
	gcCtx, gcStop := context.WithCancel(c.Context)
	recovered := make(chan struct{})
	gcDone := make(chan struct{})
	go func() {
		defer close(gcDone)
		tuneGC(gcCtx, recovered)
	}()
	defer func() { gcStop(); <-gcDone }()
	b, err := broker.Open(broker.Config{
		Addr: c.String("addr"), Dir: c.String("dir"), RequirePass: c.String("requirepass"), ACLFile: c.String("aclfile"),
		Databases: c.Int("databases"), Fsync: fsync, Logger: logger,
		SnapshotInterval: c.Duration("snapshot-interval"), SnapshotAfterChanges: c.Int64("snapshot-after-changes"),
		Repair: c.Bool("repair"), MaxClients: c.Int64("maxclients"), Timeout: c.Int64("timeout"),
		OutputBufferLimit: c.String("client-output-buffer-limit"), ProtectedModeOff: protected == "no",
		TLS: broker.TLSConfig{Addr: c.String("tls-addr"), CertFile: c.String("tls-cert-file"), KeyFile: c.String("tls-key-file"),
			CAFile: c.String("tls-ca-cert-file"), AuthClients: c.String("tls-auth-clients")},
		Params: params(c), HTTPAddr: c.String("http-addr"), MetricsMaxStreams: c.Int("metrics-max-streams"),
		BlockCache: blockCache,
	})
	if err != nil {
		return err
	}
	close(recovered)
	ctx, stop := signal.NotifyContext(c.Context, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	hupDone := make(chan struct{})
	go func() {
		defer close(hupDone)
		reloadOnHangup(ctx, b, logger)
	}()
	defer func() { stop(); <-hupDone }()
	errc := make(chan error, 1)
	go func() { errc <- b.ListenAndServe() }()
	select {
	case err = <-errc:
		b.Close()
		return err
	case <-b.Dead():
		err = b.Ready()
		logger.Error("stopping: the write-ahead log cannot recover", "err", err)
		b.Close()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	if err := b.Close(); err != nil {
		return err
	}
	logger.Info("bye")
	return nil
}

// reloadOnHangup loads the TLS certificate files again on each SIGHUP,
// until ctx ends: renewed certificates apply to new connections.
func reloadOnHangup(ctx context.Context, b *broker.Broker, logger *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := b.ReloadTLS(); err != nil {
				logger.Error("SIGHUP: TLS certificates not reloaded", "err", err)
			} else {
				logger.Info("SIGHUP: TLS certificates reloaded")
			}
		}
	}
}

// newLogger returns the slog logger --log-format asks for, on stderr.
func newLogger(format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}
