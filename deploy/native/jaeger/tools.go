//go:build tools

// Package jaeger pins the Jaeger v2 all-in-one binary (module v1.76.0 = Jaeger 2.13).
package jaeger

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"
