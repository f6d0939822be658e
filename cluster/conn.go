package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// TokenEnv names the environment variable that may hold the token of a NATS
// server, so that it appears on no command line.
const TokenEnv = "PLASTICITY_NATS_TOKEN"

// Dial says how to reach a NATS server.
type Dial struct {
	// URL is nats://[user:pass@ or token@]host:port or tls://...; a list
	// separated by commas names the servers of a cluster.
	URL string
	// Creds is a NATS credentials file ("" none).
	Creds string
	// Name is the connection's name the server shows.
	Name string
	// Retry keeps trying to connect until the server is up, and to reconnect
	// for ever; otherwise the connection closes after Grace without a
	// server.
	Retry bool
	Grace time.Duration
	// Handlers of the connection's events (nil: none).
	Disconnected, Reconnected, Closed func()
}

// Connect opens a connection as d says. A token in TokenEnv is used when
// the URL holds no credentials.
func Connect(d Dial) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name(d.Name), nats.ReconnectWait(250 * time.Millisecond), nats.PingInterval(2 * time.Second),
		nats.MaxPingsOutstanding(3)}
	if d.Retry {
		opts = append(opts, nats.RetryOnFailedConnect(true), nats.MaxReconnects(-1))
	} else {
		opts = append(opts, nats.MaxReconnects(max(1, int(d.Grace/(250*time.Millisecond)))))
	}
	if d.Creds != "" {
		if _, err := os.Stat(d.Creds); err != nil {
			return nil, fmt.Errorf("credentials file: %w", err)
		}
		opts = append(opts, nats.UserCredentials(d.Creds))
	}
	if tok := os.Getenv(TokenEnv); tok != "" && !hasUser(d.URL) {
		opts = append(opts, nats.Token(tok))
	}
	call := func(f func()) func(*nats.Conn) {
		return func(*nats.Conn) {
			if f != nil {
				f()
			}
		}
	}
	opts = append(opts, nats.DisconnectErrHandler(func(c *nats.Conn, _ error) { call(d.Disconnected)(c) }),
		nats.ReconnectHandler(call(d.Reconnected)), nats.ClosedHandler(call(d.Closed)))
	nc, err := nats.Connect(d.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", Redact(d.URL), err)
	}
	return nc, nil
}

func hasUser(u string) bool {
	for _, one := range strings.Split(u, ",") {
		if p, err := url.Parse(strings.TrimSpace(one)); err == nil && p.User != nil {
			return true
		}
	}
	return false
}

// Redact returns a server URL (or list of them) with its credentials
// replaced by "REDACTED"; a string it cannot parse comes back as
// "REDACTED" when it holds an '@'.
func Redact(u string) string {
	parts := strings.Split(u, ",")
	for i, one := range parts {
		p, err := url.Parse(strings.TrimSpace(one))
		switch {
		case err != nil && strings.Contains(one, "@"):
			parts[i] = "REDACTED"
		case err == nil && p.User != nil:
			p.User = url.User("REDACTED")
			parts[i] = p.String()
		}
	}
	return strings.Join(parts, ",")
}

// Embedded is a NATS server running in this process.
type Embedded struct {
	srv *server.Server
	// URL is the address this process connects to, credentials included.
	URL string
	// Join is the URL workers should join (the token included, if any);
	// Public the same without the token.
	Join, Public string
	// Token is the token the server requires ("" none: it listens on
	// 127.0.0.1 only).
	Token string
}

// IsEmbedded reports whether a -nats value asks for an embedded server.
func IsEmbedded(spec string) bool {
	return spec == "embedded" || strings.HasPrefix(spec, "embedded:")
}

// StartEmbedded starts a NATS server in this process as spec says:
// "embedded" (127.0.0.1 and a free port) or "embedded:HOST:PORT" (port 0: a
// free one). On any address but 127.0.0.1, localhost and ::1 it requires a
// token: TokenEnv's, else a new random one.
func StartEmbedded(spec string) (*Embedded, error) {
	host, port := "127.0.0.1", 0
	if rest, ok := strings.CutPrefix(spec, "embedded:"); ok {
		h, p, err := net.SplitHostPort(rest)
		if err != nil {
			return nil, fmt.Errorf("embedded server address %q: want embedded:HOST:PORT", rest)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("embedded server port %q: want 0..65535", p)
		}
		host, port = h, n
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	e := &Embedded{}
	if !isLocal(host) {
		e.Token = os.Getenv(TokenEnv)
		if e.Token == "" {
			var b [16]byte
			if _, err := rand.Read(b[:]); err != nil {
				return nil, err
			}
			e.Token = hex.EncodeToString(b[:])
		}
	}
	srv, err := server.NewServer(&server.Options{Host: host, Port: port, Authorization: e.Token, NoLog: true, NoSigs: true,
		MaxPayload: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, errors.New("embedded server: not ready after 10 s (is the address free?)")
	}
	e.srv = srv
	addr := srv.Addr().(*net.TCPAddr)
	show := host
	if host == "" || host == "0.0.0.0" || host == "::" {
		if show, err = os.Hostname(); err != nil {
			show = "localhost"
		}
	}
	e.Public = "nats://" + net.JoinHostPort(show, strconv.Itoa(addr.Port))
	local := "nats://" + net.JoinHostPort(dialable(host), strconv.Itoa(addr.Port))
	e.URL, e.Join = local, e.Public
	if e.Token != "" {
		e.URL = "nats://" + e.Token + "@" + strings.TrimPrefix(local, "nats://")
		e.Join = "nats://" + e.Token + "@" + strings.TrimPrefix(e.Public, "nats://")
	}
	return e, nil
}

// Shutdown stops the server.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
}

func isLocal(host string) bool { return host == "127.0.0.1" || host == "localhost" || host == "::1" }

// dialable is an address this process can connect to on host.
func dialable(host string) string {
	if host == "" || host == "0.0.0.0" {
		return "127.0.0.1"
	}
	if host == "::" {
		return "::1"
	}
	return host
}
