// Command python-sdkgen writes the Python SDK of a Pulumi package schema, as pulumi-language-python's
// GeneratePackage does for `pulumi package add`: the schema bound with a loader that asks the
// engine's plugins for referenced packages (here azure-native, served by the stand-in plugin found
// on PATH), then Pulumi's Python code generator (pkg/v3/codegen/python) at the CLI's version.
//
// The language host itself is a separate Go module that the module proxy does not serve, so it
// cannot be built here; these are the two calls its GeneratePackage makes.
//
// Usage: python-sdkgen <schema.json> <output directory>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/backend/diy/unauthenticatedregistry"
	"github.com/pulumi/pulumi/pkg/v3/cmd/pulumi/packages"
	python "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/env"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "python-sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 3 {
		return fmt.Errorf("usage: python-sdkgen <schema.json> <output directory>")
	}
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", os.Args[1], err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	// Offline: the registry the CLI uses without a Pulumi Cloud login; nothing here asks it for a package.
	reg := unauthenticatedregistry.New(diag.DefaultSink(os.Stderr, os.Stderr, diag.FormatOptions{Color: colors.Never}), env.Global())
	pctx, err := packages.NewPluginContext(cwd, reg)
	if err != nil {
		return err
	}
	defer pctx.Close()
	loader := schema.NewCachedLoader(schema.NewPluginLoader(pctx))
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := python.GeneratePackage("pulumi-language-python", pkg, nil, loader)
	if err != nil {
		return err
	}
	out := os.Args[2]
	for name, data := range files {
		target := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%d files\n", len(files))
	return nil
}
