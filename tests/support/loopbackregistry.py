#!/usr/bin/env python3
"""A read-only image registry on loopback for tests of image pulls (nothing leaves the machine).

  loopbackregistry.py NAME:TAG ROOTFS.tar

Serves one image, NAME:TAG, whose single layer is ROOTFS.tar (uncompressed), with the endpoints
of the OCI distribution API that a pull uses: GET /v2/, GET|HEAD /v2/NAME/manifests/TAG|DIGEST
and GET|HEAD /v2/NAME/blobs/DIGEST. Plain HTTP on 127.0.0.1 with a free port, which it prints as
its first line ("PORT 43123"); every request is logged to stderr. Ends on SIGTERM or stdin EOF.
"""

import hashlib
import http.server
import json
import sys
import threading


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_blobs(rootfs_tar):
    layer = open(rootfs_tar, "rb").read()
    config = json.dumps({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [digest(layer)]},
    }).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest(layer), "size": len(layer)}],
    }).encode()
    return manifest, {digest(config): config, digest(layer): layer}


def main():
    name, tag = sys.argv[1].rsplit(":", 1)
    manifest, blobs = image_blobs(sys.argv[2])
    manifest_digest = digest(manifest)

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self, body, content_type, extra=None):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        def missing(self):
            body = json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "not here: " + self.path}]}).encode()
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path in ("/v2/", "/v2"):
                return self.answer(b"{}", "application/json")
            prefix = "/v2/" + name + "/"
            if path in (prefix + "manifests/" + tag, prefix + "manifests/" + manifest_digest):
                return self.answer(manifest, "application/vnd.oci.image.manifest.v1+json",
                                   {"Docker-Content-Digest": manifest_digest})
            if path.startswith(prefix + "blobs/") and path[len(prefix) + 6:] in blobs:
                blob_digest = path[len(prefix) + 6:]
                return self.answer(blobs[blob_digest], "application/octet-stream", {"Docker-Content-Digest": blob_digest})
            return self.missing()

        do_HEAD = do_GET

        def log_message(self, format, *args):
            sys.stderr.write("registry: " + (format % args) + "\n")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("PORT", server.server_address[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), server.shutdown()), daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
