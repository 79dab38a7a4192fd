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
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"sluice/bench"
	"sluice/broker"
	"sluice/kernel"
	"sluice/wal"
)

func main() {
	app := &cli.App{
		Name:  "sluice",
		Usage: "Redis Streams broker with a write-ahead log (speaks RESP2/RESP3)",
		Description: "Point any Redis client at it: XADD, XREADGROUP, XACK, XAUTOCLAIM and the rest of the\n" +
			"Redis 8 stream commands, with every acknowledged write in a checksummed log.",
		Flags:    serveFlags(),
		Action:   serve,
		Commands: []*cli.Command{bench.Command(), checkCommand()},
	}
	if err := app.Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "sluice:", err)
		os.Exit(1)
	}
}

func serveFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "addr", Value: "127.0.0.1:6379", Usage: "listen address", EnvVars: []string{"SLUICE_ADDR"}},
		&cli.StringFlag{Name: "dir", Value: "./data", Usage: "data directory (log and snapshots)", EnvVars: []string{"SLUICE_DIR"}},
		&cli.StringFlag{Name: "requirepass", Usage: "password of the default user (AUTH)", EnvVars: []string{"SLUICE_REQUIREPASS"}},
		&cli.IntFlag{Name: "databases", Value: 16, Usage: "number of databases (SELECT 0..N-1)", EnvVars: []string{"SLUICE_DATABASES"}},
		&cli.StringFlag{Name: "appendfsync", Value: "everysec", Usage: "fsync policy: always, everysec or no", EnvVars: []string{"SLUICE_APPENDFSYNC"}},
		&cli.DurationFlag{Name: "snapshot-interval", Value: broker.DefaultSnapshotInterval,
			Usage: "longest time between snapshots while anything changes (negative: never)", EnvVars: []string{"SLUICE_SNAPSHOT_INTERVAL"}},
		&cli.Int64Flag{Name: "snapshot-after-changes", Value: broker.DefaultSnapshotAfterChanges,
			Usage: "snapshot after this many changes (negative: never)", EnvVars: []string{"SLUICE_SNAPSHOT_AFTER_CHANGES"}},
		&cli.StringFlag{Name: "block-cache", Value: "64mb",
			Usage: "memory for stream blocks read back from disk and just written (0: none)", EnvVars: []string{"SLUICE_BLOCK_CACHE"}},
		&cli.StringFlag{Name: "log-level", Value: "info", Usage: "debug, info, warn or error", EnvVars: []string{"SLUICE_LOG_LEVEL"}},
		&cli.BoolFlag{Name: "repair", Usage: "start even if the log is damaged: cut it at the damage, dropping every record after it (copies kept as .broken)",
			EnvVars: []string{"SLUICE_REPAIR"}},
		&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile to this file until shutdown", Hidden: true},
	}
}

func serve(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("unknown command %q (see --help)", c.Args().First())
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.String("log-level"))); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)
	fsync, err := wal.ParsePolicy(strings.ToLower(c.String("appendfsync")))
	if err != nil {
		return fmt.Errorf("--appendfsync: %w", err)
	}
	if c.Int("databases") < 1 {
		return errors.New("--databases must be at least 1")
	}
	cache, err := kernel.CheckMemory(c.String("block-cache"))
	if err != nil {
		return fmt.Errorf("--block-cache: %w", err)
	}
	blockCache, _ := strconv.ParseInt(cache, 10, 64)
	if blockCache == 0 {
		blockCache = -1 // none; 0 would mean the default
	}
	b, err := broker.Open(broker.Config{
		Addr: c.String("addr"), Dir: c.String("dir"), RequirePass: c.String("requirepass"),
		Databases: c.Int("databases"), Fsync: fsync, Logger: logger,
		SnapshotInterval: c.Duration("snapshot-interval"), SnapshotAfterChanges: c.Int64("snapshot-after-changes"),
		Repair: c.Bool("repair"), BlockCache: blockCache,
	})
	if err != nil {
		return err
	}
	if path := c.String("cpuprofile"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	gcDone := make(chan struct{})
	go func() {
		defer close(gcDone)
		tuneGC(ctx)
	}()
	defer func() { stop(); <-gcDone }()
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
