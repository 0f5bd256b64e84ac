// Command rsswrap runs the provider binary named by MOSAIC_BENCH_PROVIDER with this process's
// arguments, standard streams and environment (so Terraform's plugin handshake passes through
// untouched), and when it exits appends its peak resident set size in KiB and its CPU time in
// milliseconds to the file named by MOSAIC_BENCH_RSS. `make bench` puts it where Terraform looks for the provider.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

func main() {
	cmd := exec.Command(os.Getenv("MOSAIC_BENCH_PROVIDER"), os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		os.Exit(1)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if f, ferr := os.OpenFile(os.Getenv("MOSAIC_BENCH_RSS"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); ferr == nil {
			// peak RSS in KiB (Linux), then CPU time (user + system) in milliseconds
			cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			fmt.Fprintln(f, ru.Maxrss, cpu.Milliseconds())
			f.Close()
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
}
