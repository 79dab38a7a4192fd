// Package bench is sluice's stream benchmark, run as "sluice bench": it drives
// any Redis-protocol server with producers and consumer groups together and
// measures throughput and per-command or end-to-end latency.
package bench

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// workload is one "sluice bench" subcommand.
type workload struct {
	name, usage, description string
	flags                    []cli.Flag
	minSize                  int // smallest valid -d
	run                      func(*run) ([]row, error)
}

var workloads = []workload{
	{
		name:  "produce",
		usage: "XADD from many clients, optionally pipelined and spread over several streams",
		description: "Each of -c clients sends XADD <key> [MAXLEN ~ N] * d <value>, -P commands per round trip,\n" +
			"until -n XADDs are done. With --streams K the XADDs go to K streams <key>:0..K-1 by a hash of\n" +
			"their sequence number. Latency is the round trip of the pipeline a command was sent in.",
		flags:   []cli.Flag{clientsFlag(50), pipelineFlag(1), streamsFlag, maxlenFlag},
		minSize: 1,
		run:     runProduce,
	},
	{
		name:  "consume",
		usage: "drain a pre-filled stream with a consumer group: XREADGROUP then XACK",
		description: "Fills <key> with -n entries (pipelined, not timed), creates group g at 0, then -c consumers\n" +
			"read it with XREADGROUP COUNT --count and XACK what they read, until the stream is drained.\n" +
			"Rows: entries read per second with the XREADGROUP call latency, and the XACK call latency.\n" +
			"With --keys N each entry also has a field k, one of N values; with --orderby the group hands\n" +
			"out no entry while an earlier one of its k is pending (sluice's XGROUP CONFIG ORDERBY k).",
		flags:   []cli.Flag{clientsFlag(50), countFlag, keysFlag, orderByFlag},
		minSize: 1,
		run:     runConsume,
	},
	{
		name:  "e2e",
		usage: "producers and a consumer group together; latency from XADD to XACK per message",
		description: "--producers XADD pipelined batches of -P (the value carries the send time) while --consumers\n" +
			"in one group XREADGROUP COUNT --count BLOCK 100 and XACK. Latency runs from before the XADD to the\n" +
			"return of the XACK, per message. Full speed, or --rate msgs/s in total paced by the producers.\n" +
			"Ends after -n messages are acked, or after --duration (with --duration alone, -n is unlimited).",
		flags:   []cli.Flag{producersFlag, consumersFlag, pipelineFlag(100), countFlag, rateFlag, durationFlag},
		minSize: stampSize,
		run:     runE2E,
	},
	{
		name:  "replay",
		usage: "read an existing stream from its start with XREAD COUNT --count, as a consumer replaying retention",
		description: "One connection reads <key> from ID 0 with XREAD COUNT --count STREAMS <key> <last ID read>\n" +
			"until it reaches the end of the stream or has read -n entries; the stream is not written or\n" +
			"deleted. Reports entries read per second and the XREAD call latency.",
		flags: []cli.Flag{replayCountFlag},
		run:   runReplay,
	},
	{
		name:  "fanout",
		usage: "--groups groups each read every entry of one stream while producers write",
		description: "Like e2e, but with --groups consumer groups of one consumer each, so every message is\n" +
			"delivered and acked once per group. Reports deliveries per second across groups and the\n" +
			"XADD-to-XACK latency of each delivery. Ends after -n messages reached every group.",
		flags:   []cli.Flag{producersFlag, groupsFlag, pipelineFlag(100), countFlag, rateFlag, durationFlag},
		minSize: stampSize,
		run:     runFanout,
	},
}

// Command returns the "bench" command with one subcommand per workload.
func Command() *cli.Command {
	var subs []*cli.Command
	var names []string
	for _, w := range workloads {
		subs = append(subs, &cli.Command{
			Name:        w.name,
			Usage:       w.usage,
			Description: w.description,
			Flags:       append(commonFlags(), w.flags...),
			Action:      w.action,
		})
		names = append(names, w.name)
	}
	return &cli.Command{
		Name:      "bench",
		Usage:     "benchmark Redis streams on sluice, Redis or any Redis-compatible server",
		UsageText: "sluice bench WORKLOAD [options]    (sluice bench WORKLOAD --help for its options)",
		Description: "Runs one workload and prints a table of ops, elapsed time, throughput, latency\n" +
			"percentiles in ms and errors (or --json / --csv). Each run first deletes its keys.\n" +
			"The exit status is 1 if any command failed.",
		HideHelpCommand: true,
		Subcommands:     subs,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return cli.Exit(fmt.Sprintf("bench: unknown workload %q (want one of: %s)",
					c.Args().First(), strings.Join(names, ", ")), 2)
			}
			return cli.ShowSubcommandHelp(c)
		},
	}
}

func (w workload) action(c *cli.Context) error {
	o, err := parseOptions(c, w)
	if err != nil {
		return cli.Exit("bench "+w.name+": "+err.Error(), 2)
	}
	return execute(c, w, o)
}
