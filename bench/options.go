package bench

import (
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"
)

// options are the parsed flags of one run; flags a workload lacks stay zero.
type options struct {
	addr, password string
	db             int
	key            string
	total          int // 0: unlimited (only with --duration)
	size           int
	jsonOut        bool
	csvOut         bool
	quiet          bool

	clients   int
	pipeline  int
	streams   int
	maxlen    int
	count     int
	producers int
	consumers int
	groups    int
	rate      int
	duration  time.Duration
	keys      int  // entries carry field k, one of this many values (0: none)
	orderBy   bool // the group orders by k (sluice's XGROUP CONFIG ORDERBY)
}

// intFlag is an int option with its smallest valid value.
type intFlag struct {
	name, short string
	min         int
	usage       string
}

func (f intFlag) flag(value int) *cli.IntFlag {
	fl := &cli.IntFlag{Name: f.name, Value: value, Usage: f.usage}
	if f.short != "" {
		fl.Aliases = []string{f.short}
	}
	return fl
}

// display names the flag the way a user most likely typed it.
func (f intFlag) display() string {
	if f.short != "" {
		return "-" + f.short
	}
	return "--" + f.name
}

var intFlags = map[string]intFlag{}

// register records f for validation by name.
func register(f intFlag) intFlag { intFlags[f.name] = f; return f }

var (
	dbOpt        = register(intFlag{name: "db", min: 0, usage: "database number (SELECT)"})
	totalOpt     = register(intFlag{name: "total", short: "n", min: 1, usage: "messages to write (and read)"})
	sizeOpt      = register(intFlag{name: "size", short: "d", min: 1, usage: "value size in bytes"})
	clientsOpt   = register(intFlag{name: "clients", short: "c", min: 1, usage: "parallel connections"})
	pipelineOpt  = register(intFlag{name: "pipeline", short: "P", min: 1, usage: "XADDs per round trip"})
	streamsOpt   = register(intFlag{name: "streams", min: 1, usage: "spread the XADDs over this many streams"})
	maxlenOpt    = register(intFlag{name: "maxlen", min: 0, usage: "trim with MAXLEN ~ `N` on every XADD (0: no trimming)"})
	countOpt     = register(intFlag{name: "count", min: 1, usage: "XREADGROUP COUNT"})
	producersOpt = register(intFlag{name: "producers", min: 1, usage: "producer connections"})
	consumersOpt = register(intFlag{name: "consumers", min: 1, usage: "consumers in the group, one connection each"})
	groupsOpt    = register(intFlag{name: "groups", min: 1, usage: "consumer groups, one consumer each"})
	rateOpt      = register(intFlag{name: "rate", min: 0, usage: "total XADDs per second, paced by the producers (0: full speed)"})
	keysOpt      = register(intFlag{name: "keys", min: 0, usage: "give each entry a field k, one of `N` values (0: none)"})
)

var (
	streamsFlag     = streamsOpt.flag(1)
	maxlenFlag      = maxlenOpt.flag(0)
	countFlag       = countOpt.flag(100)
	replayCountFlag = countOpt.flag(1000)
	producersFlag   = producersOpt.flag(4)
	consumersFlag   = consumersOpt.flag(4)
	groupsFlag      = groupsOpt.flag(4)
	rateFlag        = rateOpt.flag(0)
	durationFlag    = &cli.DurationFlag{Name: "duration", Usage: "stop after this long (0: when -n messages are acked)"}
	keysFlag        = keysOpt.flag(0)
	orderByFlag     = &cli.BoolFlag{Name: "orderby", Usage: "order the group's deliveries by field k (sluice's XGROUP CONFIG ORDERBY; needs --keys)"}
)

func clientsFlag(value int) cli.Flag  { return clientsOpt.flag(value) }
func pipelineFlag(value int) cli.Flag { return pipelineOpt.flag(value) }

func commonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "addr", Value: "127.0.0.1:6379", Usage: "server `address`"},
		&cli.StringFlag{Name: "password", Usage: "AUTH password"},
		dbOpt.flag(0),
		totalOpt.flag(100000),
		sizeOpt.flag(100),
		&cli.StringFlag{Name: "key", Value: "bench", Usage: "stream name (prefix with --streams)"},
		&cli.BoolFlag{Name: "json", Usage: "print results as JSON instead of a table"},
		&cli.BoolFlag{Name: "csv", Usage: "print results as CSV instead of a table"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress output"},
	}
}

// parseOptions reads and checks the flags of workload w.
func parseOptions(c *cli.Context, w workload) (*options, error) {
	if c.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (options go after the workload name)", c.Args().First())
	}
	for _, f := range c.Command.Flags {
		f, ok := f.(*cli.IntFlag)
		if !ok {
			continue
		}
		spec := intFlags[f.Name]
		lo := spec.min
		if f.Name == sizeOpt.name {
			lo = w.minSize
		}
		if v := c.Int(f.Name); v < lo {
			why := ""
			if f.Name == sizeOpt.name && lo == stampSize {
				why = " (the value carries its send time)"
			}
			return nil, fmt.Errorf("%s must be >= %d%s, got %d", spec.display(), lo, why, v)
		}
	}
	o := &options{
		addr: c.String("addr"), password: c.String("password"), db: c.Int("db"),
		key: c.String("key"), total: c.Int("total"), size: c.Int("size"),
		jsonOut: c.Bool("json"), csvOut: c.Bool("csv"), quiet: c.Bool("quiet"),
		clients: c.Int("clients"), pipeline: c.Int("pipeline"), streams: c.Int("streams"),
		maxlen: c.Int("maxlen"), count: c.Int("count"), producers: c.Int("producers"),
		consumers: c.Int("consumers"), groups: c.Int("groups"), rate: c.Int("rate"),
		duration: c.Duration("duration"), keys: c.Int("keys"), orderBy: c.Bool("orderby"),
	}
	switch {
	case o.duration < 0:
		return nil, fmt.Errorf("--duration must be >= 0, got %v", o.duration)
	case o.jsonOut && o.csvOut:
		return nil, errors.New("--json and --csv exclude each other")
	case o.key == "":
		return nil, errors.New("--key must not be empty")
	case o.orderBy && o.keys == 0:
		return nil, errors.New("--orderby needs --keys")
	}
	if o.duration > 0 && !c.IsSet("total") {
		o.total = 0
	}
	return o, nil
}
