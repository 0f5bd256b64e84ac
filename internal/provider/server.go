package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer is the mosaic provider as a protocol 6 server: the framework's server, with every
// request's context released when the request is answered.
//
// terraform-plugin-framework (v1.19.0, internal/proto6server registerContext) wraps each
// request's context in a cancelable one and appends its cancel function to a slice that only
// StopProvider empties. Each kept function holds the request's whole context chain:
// terraform-plugin-go's per-request loggers and their options, about 10 KB per request. A plan
// of 1,000 apps makes 3,000 to 4,000 requests, so the provider's live heap grew from 4 to 51 MB
// over the plan, and the garbage collector's work with it (docs/guides/performance.md).
//
// The framework is handed a releasedContext instead: while the request runs it answers as the
// request's context does (values, deadline, cancellation); once answered it forgets it. What
// the framework keeps per request is then its cancel function and two small structs.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return &server{ProviderServer: providerserver.NewProtocol6(New(version)())()}
	}
}

// NewServerWithError is NewServer in the form terraform-plugin-testing's factories take.
func NewServerWithError(version string) func() (tfprotov6.ProviderServer, error) {
	newServer := NewServer(version)
	return func() (tfprotov6.ProviderServer, error) { return newServer(), nil }
}

// server passes every request that Terraform makes per resource instance, data source or
// function call to the framework with a context released at its end. The requests made once
// per process (schema, provider configuration, stop) go to the framework unchanged.
type server struct {
	tfprotov6.ProviderServer
}

// serve calls f with a context that is ctx until f returns, and then a canceled, empty one.
func serve[Req, Resp any](ctx context.Context, req Req, f func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := newReleasedContext(ctx)
	defer rc.release()
	return f(rc, req)
}

func (s *server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s *server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return serve(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s *server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.ReadResource)
}

func (s *server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return serve(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s *server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return serve(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s *server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return serve(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s *server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return serve(ctx, req, s.ProviderServer.MoveResourceState)
}

func (s *server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return serve(ctx, req, s.ProviderServer.UpgradeResourceIdentity)
}

func (s *server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return serve(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s *server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return serve(ctx, req, s.ProviderServer.ReadDataSource)
}

func (s *server) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return serve(ctx, req, s.ProviderServer.CallFunction)
}

// releasedContext is a request's context until release, and a canceled empty context after.
type releasedContext struct {
	ctx atomic.Pointer[context.Context]
}

// releasedCtx is what every releasedContext answers as once released.
var releasedCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func newReleasedContext(ctx context.Context) *releasedContext {
	rc := &releasedContext{}
	rc.ctx.Store(&ctx)
	return rc
}

func (rc *releasedContext) release()                    { rc.ctx.Store(&releasedCtx) }
func (rc *releasedContext) current() context.Context    { return *rc.ctx.Load() }
func (rc *releasedContext) Deadline() (time.Time, bool) { return rc.current().Deadline() }
func (rc *releasedContext) Done() <-chan struct{}       { return rc.current().Done() }
func (rc *releasedContext) Err() error                  { return rc.current().Err() }
func (rc *releasedContext) Value(key any) any           { return rc.current().Value(key) }
