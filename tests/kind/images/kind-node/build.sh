# shellcheck shell=bash
# The kind node image, made the way `kind build node-image` makes it (kind v0.32.0's
# pkg/build/nodeimage), except that images are imported from this engine instead of pulled:
#   - a container of kind's base image gets kubeadm, kubelet and kubectl in /usr/bin and
#     /kind/version;
#   - kind's default StorageClass manifest (local-path-provisioner) goes to /kind/manifests;
#   - every image of images.tsv marked "bake" (the control plane, the sandbox image, the
#     StorageClass, and all the images the charts and manifests name) is imported into the
#     node's containerd, pinned, so that no node ever pulls;
#   - the container is committed as the node image.
# Sourced by ../build.sh, which passes BASE and KUBERNETES_VERSION, and BAKE_LIST (the refs to import).

build_image() {
  local ref=$1 ctx=$2 key=$3 container="zt-demo-kind-node-build" bin ref_to_import kind_module
  docker rm -f "$container" >/dev/null 2>&1 || true
  docker run -d --name "$container" --privileged --entrypoint sleep "$BASE" infinity >/dev/null || return 1

  for bin in kubeadm kubelet kubectl; do
    docker cp "$ctx/go/kubernetes/$bin" "$container:/usr/bin/$bin" || return 1
  done
  docker exec "$container" sh -c "chmod 755 /usr/bin/kubeadm /usr/bin/kubelet /usr/bin/kubectl &&
    chown root:root /usr/bin/kubeadm /usr/bin/kubelet /usr/bin/kubectl &&
    mkdir -p /kind/manifests && echo v$KUBERNETES_VERSION > /kind/version" || return 1

  kind_module=$(go_module_dir "sigs.k8s.io/kind@v$KIND_VERSION") || return 1
  kind_storage_manifest "$kind_module/pkg/build/nodeimage/const_storage.go" |
    docker exec -i "$container" sh -c 'cat > /kind/manifests/default-storage.yaml' || return 1

  # A containerd of the node's own, just long enough to import the images.
  docker exec -d "$container" sh -c 'containerd >/tmp/containerd.log 2>&1'
  local tries=0
  until docker exec "$container" ctr --namespace=k8s.io version >/dev/null 2>&1; do
    ((++tries < 60)) || { docker exec "$container" cat /tmp/containerd.log >&2; return 1; }
    sleep 0.5
  done
  for ref_to_import in $BAKE_LIST; do
    echo "importing $ref_to_import"
    docker save "$ref_to_import" | docker exec -i "$container" \
      ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --no-unpack --digests - >/dev/null ||
      return 1
  done
  docker exec "$container" sh -c 'pkill containerd; while pgrep -x containerd >/dev/null; do sleep 0.2; done; rm -f /tmp/containerd.log'

  docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' \
    --change "LABEL zt-demo.test.key=$key" "$container" "$ref" >/dev/null || return 1
  docker rm -f "$container" >/dev/null
}

# kind_storage_manifest CONST_STORAGE_GO: kind's default StorageClass manifest, read from the Go
# constant in kind's source with the two image names filled in.
kind_storage_manifest() {
  python3 - "$1" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
consts = dict(re.findall(r'const (storage\w+Image) = "([^"]+)"', src))
for name, value in consts.items():
    src = src.replace('` + ' + name + ' + `', value)
sys.stdout.write(re.search(r'const defaultStorageManifest = `(.*?)`', src, re.S).group(1))
PY
}
