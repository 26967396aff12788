"""The API client: GraphQL over HTTP (standard library), subscriptions over graphql-ws
(`websockets`), safetensors downloads and uploads, and the bridge to PyTorch."""
import json
import urllib.error
import urllib.parse
import urllib.request

from .safetensors import Parameters, Tensor, decode_safetensors, encode_safetensors

TERMINAL_STATUSES = ("SUCCEEDED", "FAILED", "CANCELLED")

_LANDSCAPE = """query NebAtlasLandscape($id: ID!) { landscape(id: $id) { id name
  architecture { kind widths depth channels surface }
  dataset { name dir trainSize testSize features classes seed normalization { mean std } } } }"""
_RUN = "query NebAtlasRun($id: ID!) { run(id: $id) { id kind status progress errorMessage } }"
_RUN_PROGRESS = """subscription NebAtlasRunProgress($runId: ID!) {
  runProgress(runId: $runId) { runId kind status progress errorMessage pathId at } }"""
_IMPORT = """mutation NebAtlasImportMinimum($landscapeId: ID!, $uploadId: ID!, $seed: Int) {
  importMinimum(landscapeId: $landscapeId, uploadId: $uploadId, seed: $seed) { id seed status run { id } } }"""
_MINIMUM = """query NebAtlasMinimum($id: ID!) { minimum(id: $id) {
  id seed status parameterCount trainLoss testLoss trainError testError landscape { id } } }"""


class ApiError(Exception):
    """An error the server answered (with its GraphQL `code` and the `field` it concerns) or
    a transport failure (code None)."""

    def __init__(self, message, code=None, field=None):
        super().__init__(message)
        self.code = code
        self.field = field


class RunFailed(ApiError):
    """A run this client waited for ended FAILED or CANCELLED."""

    def __init__(self, run):
        super().__init__("run %s %s: %s" % (run.get("id") or run.get("runId"), run["status"], run.get("errorMessage") or "no reason given"), run["status"])
        self.run = run


class Client:
    """`Client("http://127.0.0.1:4000/graphql", token)`; the URL may also be the server's root."""

    def __init__(self, url="http://127.0.0.1:4000/graphql", token=None, timeout=120):
        parts = urllib.parse.urlsplit(url)
        path = parts.path.rstrip("/")
        if not path.endswith("/graphql"):
            path += "/graphql"
        self.url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        self.origin = urllib.parse.urlunsplit((parts.scheme, parts.netloc, path[: -len("/graphql")], "", ""))
        self.ws_url = urllib.parse.urlunsplit(("wss" if parts.scheme == "https" else "ws", parts.netloc, path, "", ""))
        self.token = token
        self.timeout = timeout
        self._landscapes = {}

    # --- HTTP -------------------------------------------------------------------------------

    def _headers(self):
        return {"Authorization": "Bearer " + self.token} if self.token else {}

    def _open(self, request):
        for name, value in self._headers().items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf-8", "replace")
            try:
                parsed = json.loads(body)
            except ValueError:
                raise ApiError("HTTP %d: %s" % (err.code, body[:300])) from None
            error = (parsed.get("errors") or [None])[0] or parsed.get("error") or {}
            extensions = error.get("extensions") or {}
            raise ApiError(
                "HTTP %d: %s" % (err.code, error.get("message") or body[:300]),
                extensions.get("code") or error.get("code"),
                extensions.get("field") or error.get("field"),
            ) from None
        except urllib.error.URLError as err:
            raise ApiError("cannot reach %s: %s" % (self.url, err.reason)) from None

    def query(self, document, variables=None, **kwargs):
        """The `data` of a query or mutation; raises ApiError with the first error's code and field.
        Variables come as a dict or as keyword arguments."""
        payload = {"query": document, "variables": dict(variables or {}, **kwargs)}
        request = urllib.request.Request(
            self.url, data=json.dumps(payload).encode("utf-8"), headers={"content-type": "application/json"}, method="POST"
        )
        body = json.loads(self._open(request))
        errors = body.get("errors")
        if errors:
            extensions = errors[0].get("extensions") or {}
            raise ApiError(errors[0].get("message"), extensions.get("code"), extensions.get("field"))
        return body["data"]

    def download(self, route):
        """Raw bytes of a server route (`/tensors/...`)."""
        return self._open(urllib.request.Request(self.origin + route, method="GET"))

    # --- subscriptions --------------------------------------------------------------------

    def subscribe(self, document, variables=None, **kwargs):
        """An iterator over a subscription's `data` (graphql-ws protocol); needs `websockets`.
        It ends when the server completes the subscription, or after an event whose first field
        carries a terminal run status (so following a run ends with the run); closing the
        iterator (break, del) unsubscribes."""
        from .subscriptions import subscribe

        return subscribe(self, document, dict(variables or {}, **kwargs), stop_at_terminal=True)

    def follow_run(self, run_id, poll=5.0):
        """The `runProgress` events of a run, first its current state, ending with its terminal
        event. Safe against a run that ends before or while the subscription starts: while no event
        arrives the run is re-read every `poll` seconds."""
        from .subscriptions import subscribe

        events = subscribe(self, _RUN_PROGRESS, {"runId": run_id}, stop_at_terminal=True, idle=poll)
        try:
            next(events)  # subscribed; read the state after, so no change falls between the two
            last = self._run_state(run_id)
            yield last
            if last["status"] in TERMINAL_STATUSES:
                return
            for data in events:
                if data is None:  # idle: re-read
                    current = self._run_state(run_id)
                    if current["status"] != last["status"] or current["status"] in TERMINAL_STATUSES:
                        last = current
                        yield current
                    if current["status"] in TERMINAL_STATUSES:
                        return
                    continue
                last = data["runProgress"]
                yield last
                if last["status"] in TERMINAL_STATUSES:
                    return
        finally:
            events.close()

    def _run_state(self, run_id):
        run = self.query(_RUN, id=run_id)["run"]
        return {"runId": run["id"], "kind": run["kind"], "status": run["status"], "progress": run["progress"], "errorMessage": run["errorMessage"]}

    def wait_for_run(self, run_id):
        """Follows a run to its end; returns its last event, raises RunFailed unless it SUCCEEDED."""
        last = None
        for last in self.follow_run(run_id):
            pass
        if last["status"] != "SUCCEEDED":
            raise RunFailed(last)
        return last

    # --- parameters -----------------------------------------------------------------------

    def download_minimum(self, minimum_id):
        """A minimum's parameters (tensors by PyTorch name) and metadata (landscapeId, seed, losses)."""
        return decode_safetensors(self.download("/tensors/minima/" + urllib.parse.quote(minimum_id)))

    def download_saddle(self, path_id):
        """The parameters at a path's saddle (interpolated between its pivots), metadata with `t`."""
        return decode_safetensors(self.download("/tensors/paths/%s/saddle" % urllib.parse.quote(path_id)))

    def download_pivot(self, path_id, index):
        return decode_safetensors(self.download("/tensors/paths/%s/pivots/%d" % (urllib.parse.quote(path_id), index)))

    def upload(self, tensors, metadata=None):
        """Uploads float32 tensors (a Parameters, or a mapping name -> Tensor / (shape, values))
        as safetensors; returns the upload id the `importMinimum` mutation takes."""
        if isinstance(tensors, Parameters):
            metadata = metadata or tensors.metadata
            tensors = tensors.tensors
        request = urllib.request.Request(
            self.origin + "/tensors/uploads", data=encode_safetensors(tensors, metadata), headers={"content-type": "application/octet-stream"}, method="POST"
        )
        return json.loads(self._open(request))["uploadId"]

    def upload_minimum(self, landscape, state_dict, seed=None, wait=True):
        """Imports a minimum trained elsewhere into a landscape (an id or a landscape dict).
        `state_dict` is a PyTorch state dict (named as the server names tensors, or, as an
        nn.Sequential's are, differently but in the same order and shapes), a Parameters, or a
        mapping name -> (shape, values). With `wait`, returns the minimum once the server has
        evaluated it (train/test loss and error); otherwise at once."""
        landscape_id = landscape if isinstance(landscape, str) else landscape["id"]
        if isinstance(state_dict, Parameters):
            tensors = state_dict.tensors
        elif state_dict and all(isinstance(v, (Tensor, tuple)) for v in state_dict.values()):
            tensors = state_dict
        else:
            from .pytorch import server_tensors

            tensors = server_tensors(self.landscape(landscape_id), state_dict)
        minimum = self.query(_IMPORT, landscapeId=landscape_id, uploadId=self.upload(tensors), seed=seed)["importMinimum"]
        if not wait:
            return minimum
        self.wait_for_run(minimum["run"]["id"])
        return self.query(_MINIMUM, id=minimum["id"])["minimum"]

    # --- landscapes and PyTorch -----------------------------------------------------------

    def landscape(self, landscape_id):
        """A landscape's architecture and data set (with the normalisation the server applies)."""
        if landscape_id not in self._landscapes:
            self._landscapes[landscape_id] = self.query(_LANDSCAPE, id=landscape_id)["landscape"]
        return self._landscapes[landscape_id]

    def to_torch(self, point):
        """An nn.Module of the point's landscape (MLP, CNN or ResNet) with the point's parameters
        loaded and the data set's normalisation as its first step; takes a Parameters
        (download_minimum, download_saddle) or a minimum id. Feed it raw images: uint8
        [N, C, H, W] (bit-exact with the server) or floats in [0, 1]. In eval mode."""
        from .pytorch import to_torch

        if isinstance(point, str):
            point = self.download_minimum(point)
        if not point.landscape_id:
            raise ApiError("the parameters carry no landscapeId in their metadata")
        return to_torch(self.landscape(point.landscape_id), point)

    def test_set(self, landscape_id, part="test"):
        """The landscape's test (or train) examples as the server uses them, read from the data
        set's directory (which must be readable here): uint8 images [N, C, H, W] and int64 labels."""
        from .pytorch import load_split

        return load_split(self.landscape(landscape_id)["dataset"], part)
