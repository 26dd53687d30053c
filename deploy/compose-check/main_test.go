package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const valid = `name: probe
services:
  app:
    build: .
    environment:
      PORT: ${PORT}
`

// Each file must fail the check as `docker compose` would fail or warn on it.
func TestCheckRefusesWhatComposeWouldNot(t *testing.T) {
	cases := map[string]struct{ compose, want string }{
		"valid":             {valid, ""},
		"unknown attribute": {strings.Replace(valid, "build: .", "build: .\n    restarts: always", 1), "restarts"},
		"wrong type":        {valid + "    healthcheck: { retries: thirty }\n", "retries"},
		"unset variable":    {strings.Replace(valid, "${PORT}", "${MISSING}", 1), `"MISSING" variable is not set`},
		"missing Dockerfile": {strings.Replace(valid, "build: .", "build: { context: ., dockerfile: Nope }", 1),
			"Nope"},
		"unknown dependency": {valid + "    depends_on: [database]\n", "database"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "Dockerfile", "FROM scratch\n")
			write(t, dir, "env", "PORT=3000\n")
			write(t, dir, "compose.yml", c.compose)
			_, err := check(filepath.Join(dir, "compose.yml"), filepath.Join(dir, "env"))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused a valid file: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("want an error naming %q, got %v", c.want, err)
			}
		})
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
