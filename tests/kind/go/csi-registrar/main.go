// csi-registrar registers a CSI node plugin with the kubelet, for the kind suite's image
// registry.k8s.io/sig-storage/csi-node-driver-registrar:<tag>.
//
// Why it exists: the upstream node-driver-registrar (github.com/kubernetes-csi/node-driver-registrar)
// is not served by the Go module proxy that the project's build machines reach, so its image
// cannot be built there. This program does the part of its job the SPIFFE CSI driver needs, with
// the flags the spire chart passes (-csi-address, -kubelet-registration-path, -health-port):
//
//  1. it asks the CSI driver for its name (Identity.GetPluginInfo on -csi-address);
//  2. it serves the kubelet's plugin registration API (GetInfo, NotifyRegistrationStatus) on
//     /registration/<name>-reg.sock, the directory the kubelet's plugin watcher scans, and
//     answers GetInfo with the CSIPlugin type, the driver's name and -kubelet-registration-path;
//  3. it serves /healthz on -health-port: 200 while the driver answers and the socket exists.
//
// Users' clusters run the upstream image; only the tests on machines without it run this one.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	registerapi "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

const registrationDir = "/registration"

type registration struct {
	registerapi.UnimplementedRegistrationServer
	driverName, endpoint string
}

func (r *registration) GetInfo(context.Context, *registerapi.InfoRequest) (*registerapi.PluginInfo, error) {
	return &registerapi.PluginInfo{
		Type:              registerapi.CSIPlugin,
		Name:              r.driverName,
		Endpoint:          r.endpoint,
		SupportedVersions: []string{"1.0.0"},
	}, nil
}

func (r *registration) NotifyRegistrationStatus(_ context.Context, status *registerapi.RegistrationStatus) (*registerapi.RegistrationStatusResponse, error) {
	if !status.PluginRegistered {
		// The upstream registrar exits too, so the kubelet sees a fresh attempt after the restart.
		log.Fatalf("the kubelet refused the registration of %s: %s", r.driverName, status.Error)
	}
	log.Printf("the kubelet registered %s (endpoint %s)", r.driverName, r.endpoint)
	return &registerapi.RegistrationStatusResponse{}, nil
}

// driverName asks the CSI driver for its name, retrying until it answers or ctx ends.
func driverName(ctx context.Context, conn *grpc.ClientConn) (string, error) {
	identity := csi.NewIdentityClient(conn)
	for {
		callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		info, err := identity.GetPluginInfo(callCtx, &csi.GetPluginInfoRequest{})
		cancel()
		if err == nil && info.GetName() != "" {
			return info.GetName(), nil
		}
		log.Printf("waiting for the CSI driver: %v", err)
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
}

func main() {
	csiAddress := flag.String("csi-address", "/csi/csi.sock", "the CSI driver's socket inside this container")
	kubeletPath := flag.String("kubelet-registration-path", "", "the CSI driver's socket as the kubelet sees it on the node")
	healthPort := flag.Int("health-port", 0, "serve /healthz on this port (0: off)")
	flag.Parse()
	if *kubeletPath == "" {
		log.Fatal("-kubelet-registration-path is required")
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	conn, err := grpc.NewClient("unix://"+*csiAddress, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatalf("connecting to the CSI driver at %s: %v", *csiAddress, err)
	}
	defer conn.Close()
	name, err := driverName(ctx, conn)
	if err != nil {
		log.Fatalf("the CSI driver at %s did not answer: %v", *csiAddress, err)
	}

	socket := filepath.Join(registrationDir, name+"-reg.sock")
	if err := os.Remove(socket); err != nil && !os.IsNotExist(err) {
		log.Fatalf("removing the old registration socket %s: %v", socket, err)
	}
	listener, err := net.Listen("unix", socket)
	if err != nil {
		log.Fatalf("listening on %s: %v", socket, err)
	}
	server := grpc.NewServer()
	registerapi.RegisterRegistrationServer(server, &registration{driverName: name, endpoint: *kubeletPath})
	go func() {
		if err := server.Serve(listener); err != nil {
			log.Fatalf("serving the registration API: %v", err)
		}
	}()
	log.Printf("registration socket %s for %s", socket, name)

	if *healthPort > 0 {
		mux := http.NewServeMux()
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
			if _, err := os.Stat(socket); err != nil {
				http.Error(w, "registration socket missing", http.StatusServiceUnavailable)
				return
			}
			callCtx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
			defer cancel()
			if _, err := csi.NewIdentityClient(conn).GetPluginInfo(callCtx, &csi.GetPluginInfoRequest{}); err != nil {
				http.Error(w, fmt.Sprintf("CSI driver: %v", err), http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintln(w, "ok")
		})
		go func() {
			log.Fatal(http.ListenAndServe(fmt.Sprintf(":%d", *healthPort), mux))
		}()
	}

	<-ctx.Done()
	server.GracefulStop()
	_ = os.Remove(socket)
}
