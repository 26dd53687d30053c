// compose-check loads a compose file the way `docker compose` does, through its own library
// (compose-go): schema, interpolation, every profile, the services' env files and their build
// contexts. It exits 1 on any error, and on any warning the library logs (an unset variable, an
// obsolete attribute), which `docker compose` would only print.
//
//	compose-check -file docker-compose.yml -env-file .env.example
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

// warnings keeps what compose-go logs at warning level or above.
type warnings struct{ messages []string }

func (w *warnings) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (w *warnings) Fire(entry *logrus.Entry) error {
	w.messages = append(w.messages, entry.Message)
	return nil
}

func main() {
	file := flag.String("file", "docker-compose.yml", "compose file to check")
	envFile := flag.String("env-file", ".env.example", "env file for interpolation, as `docker compose --env-file`")
	flag.Parse()
	logrus.SetOutput(io.Discard)

	project, err := check(*file, *envFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "compose-check: %s: %v\n", *file, err)
		os.Exit(1)
	}
	fmt.Printf("compose-check: %s is valid (project %s, env file %s, every profile): services %s; volumes %s\n",
		*file, project.Name, *envFile, strings.Join(project.ServiceNames(), ", "), strings.Join(project.VolumeNames(), ", "))
}

// check loads the file and its builds; a warning compose-go logs meanwhile is an error too.
func check(file, envFile string) (*types.Project, error) {
	logged := &warnings{}
	logrus.StandardLogger().ReplaceHooks(logrus.LevelHooks{})
	logrus.AddHook(logged)
	project, err := load(file, envFile)
	if err == nil {
		err = checkBuilds(project)
	}
	if err == nil && len(logged.messages) > 0 {
		err = fmt.Errorf("warnings: %s", strings.Join(logged.messages, "; "))
	}
	return project, err
}

// load reads the file with only the env file's variables (not this machine's), so the result is the same
// everywhere, and resolves every service's environment (reading its env_file entries).
func load(file, envFile string) (*types.Project, error) {
	options, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithEnvFiles(envFile),
		cli.WithDotEnv,
		cli.WithProfiles([]string{"*"}),
	)
	if err != nil {
		return nil, err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	return project.WithServicesEnvironmentResolved(false)
}

// checkBuilds fails when a service builds from a context or Dockerfile that is not there.
func checkBuilds(project *types.Project) error {
	for _, service := range project.Services {
		if service.Build == nil {
			continue
		}
		dockerfile := service.Build.Dockerfile
		if dockerfile == "" {
			dockerfile = "Dockerfile"
		}
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(service.Build.Context, dockerfile)
		}
		if _, err := os.Stat(dockerfile); err != nil {
			return fmt.Errorf("service %s builds from %s: %w", service.Name, dockerfile, err)
		}
	}
	return nil
}
