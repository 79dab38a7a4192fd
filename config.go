package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
	"gopkg.in/yaml.v3"
)

// --config FILE sets flags from a TOML or YAML file (by its extension:
// .yaml and .yml are YAML, anything else TOML) through urfave/cli's
// altsrc. Keys are the flag names (addr, http-addr, appendfsync, ...).
// A flag given on the command line wins, then its SLUICE_* environment
// variable, then the file, then the default. sluice.example.toml at the
// repository's root lists every key.
var configFlag = &cli.StringFlag{Name: "config", EnvVars: []string{"SLUICE_CONFIG"},
	Usage: "read flag values from this TOML (or .yaml) file; the command line and SLUICE_* variables override it"}

// fileFlags wraps each flag so that a config file can set it.
func fileFlags(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, 0, len(flags))
	for _, f := range flags {
		switch f := f.(type) {
		case *cli.StringFlag:
			out = append(out, altsrc.NewStringFlag(f))
		case *cli.IntFlag:
			out = append(out, altsrc.NewIntFlag(f))
		case *cli.Int64Flag:
			out = append(out, altsrc.NewInt64Flag(f))
		case *cli.BoolFlag:
			out = append(out, altsrc.NewBoolFlag(f))
		case *cli.DurationFlag:
			out = append(out, altsrc.NewDurationFlag(f))
		default:
			panic(fmt.Sprintf("config: no file support for flag type %T", f)) // a flag type added to serveFlags
		}
	}
	return out
}

// loadConfig is the app's Before: it applies the --config file to flags
// that neither the command line nor the environment set.
func loadConfig(flags []cli.Flag) cli.BeforeFunc {
	return func(c *cli.Context) error {
		path := c.String(configFlag.Name)
		if path == "" {
			return nil
		}
		src, err := configSource(path, flags)
		if err != nil {
			return err
		}
		if err := altsrc.ApplyInputSourceValues(c, src, flags); err != nil {
			return fmt.Errorf("--config %s: %w", path, err)
		}
		return nil
	}
}

// configSource reads the file, refusing keys that name no flag (altsrc
// ignores them, so a typo would silently leave a default in force).
func configSource(path string, flags []cli.Flag) (altsrc.InputSourceContext, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	keys := map[string]any{}
	yamlFile := isYAML(path)
	if yamlFile {
		err = yaml.Unmarshal(b, &keys)
	} else {
		_, err = toml.Decode(string(b), &keys)
	}
	if err != nil {
		return nil, fmt.Errorf("--config %s: %w", path, err)
	}
	known := map[string]bool{}
	for _, f := range flags {
		for _, n := range f.Names() {
			known[n] = true
		}
	}
	var unknown []string
	for k := range keys {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("--config %s: unknown keys %s (keys are flag names: see sluice --help)", path, strings.Join(unknown, ", "))
	}
	if yamlFile {
		return altsrc.NewYamlSourceFromFile(path)
	}
	return altsrc.NewTomlSourceFromFile(path)
}

func isYAML(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return true
	}
	return false
}
