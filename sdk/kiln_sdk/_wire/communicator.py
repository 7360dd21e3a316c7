"""The Communicator across processes: a servicer wrapping a real one, and a client implementing it.

The builder's plugin process serves its communicator (``CommunicatorServicer``, objects looked up by id
in the process's ``ObjectRegistry``); provisioners in other processes hold a ``RemoteCommunicator``.
Data moves in chunks of at most ``CHUNK_SIZE`` with gRPC flow control, so nothing is held whole in
memory. Cancelling ``RunCommand`` (the client's ``cancel`` event, or the caller going away) interrupts
the remote command.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NoReturn, cast

import grpc

from kiln_sdk._wire import channels
from kiln_sdk._wire.objects import ObjectRegistry
from kiln_sdk._wire.proto.v1 import plugin_pb2 as pb
from kiln_sdk._wire.proto.v1 import plugin_pb2_grpc as rpc
from kiln_sdk.communicator.base import Communicator, OutputHandler, RemoteCommandError
from kiln_sdk.communicator.errors import ConnectionLost
from kiln_sdk.communicator.tarstream import CHUNK_SIZE, iter_chunks, stream_from_chunks
from kiln_sdk.diagnostics import BuildError, Cancelled

log = logging.getLogger("kiln_sdk.communicator")
_QUEUE_DEPTH = 32  # chunks in flight between a worker thread and its gRPC stream
_DONE = object()


# ------------------------------------------------------------------------------------------- server


def _abort(context: grpc.ServicerContext, exc: BaseException) -> NoReturn:
    if isinstance(exc, Cancelled):
        context.abort(grpc.StatusCode.CANCELLED, str(exc))
    if isinstance(exc, ConnectionLost):
        context.abort(grpc.StatusCode.ABORTED, str(exc))
    if isinstance(exc, FileNotFoundError):
        context.abort(grpc.StatusCode.NOT_FOUND, str(exc))
    if isinstance(exc, (RemoteCommandError, BuildError, OSError)):
        context.abort(grpc.StatusCode.UNAVAILABLE, str(exc) or type(exc).__name__)
    log.error("communicator raised:\n%s", "".join(traceback.format_exception(exc)))
    context.abort(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}: {exc}")
    raise AssertionError("unreachable: abort raises")


class _Worker:
    """Runs ``fn(put)`` in a thread; the gRPC handler drains what it puts, with back-pressure."""

    def __init__(self, fn: Callable[[Callable[[Any], None]], Any], stop: threading.Event) -> None:
        self._q: queue.Queue[Any] = queue.Queue(_QUEUE_DEPTH)
        self._stop = stop
        self.result: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, args=(fn,), daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise Cancelled("the caller went away")

    def _main(self, fn: Callable[[Callable[[Any], None]], Any]) -> None:
        try:
            self.result = fn(self._put)
        except BaseException as exc:  # noqa: BLE001 - handed to the gRPC thread
            self.error = exc
        finally:
            self._q.put(_DONE)

    def items(self) -> Iterator[Any]:
        while True:
            item = self._q.get()
            if item is _DONE:
                return
            yield item


class _QueueWriter:
    """A write-only stream that forwards ``CHUNK_SIZE`` pieces to ``put``."""

    def __init__(self, put: Callable[[Any], None]) -> None:
        self._put = put
        self._buf = bytearray()

    def write(self, data: bytes) -> int:
        self._buf += data
        while len(self._buf) >= CHUNK_SIZE:
            self._put(bytes(self._buf[:CHUNK_SIZE]))
            del self._buf[:CHUNK_SIZE]
        return len(data)

    def flush(self) -> None:
        if self._buf:
            self._put(bytes(self._buf))
            self._buf.clear()


class CommunicatorServicer(rpc.CommunicatorServicer):
    """Serves every Communicator registered in ``registry`` (the request's ``id`` picks one)."""

    def __init__(self, registry: ObjectRegistry) -> None:
        self._registry = registry

    def _get(self, ident: int, context: grpc.ServicerContext) -> Communicator:
        try:
            comm = self._registry.get(ident)
        except LookupError as exc:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        if not isinstance(comm, Communicator):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"object {ident} is not a communicator")
        return cast(Communicator, comm)

    def RunCommand(self, request: pb.RunCommandRequest, context: grpc.ServicerContext) -> Iterator[pb.RunCommandResponse]:
        comm = self._get(request.id, context)
        stop = threading.Event()
        context.add_callback(stop.set)
        stdin = stream_from_chunks([request.stdin]) if request.stdin else None

        def work(put: Callable[[Any], None]) -> int:
            return comm.run(
                request.command,
                stdout=lambda b: put(pb.RunCommandResponse(stdout=b)),
                stderr=lambda b: put(pb.RunCommandResponse(stderr=b)),
                stdin=stdin,
                cancel=stop,
            )

        worker = _Worker(work, stop)
        yield from worker.items()
        if worker.error is not None:
            _abort(context, worker.error)
        yield pb.RunCommandResponse(exit_status=int(worker.result))

    def _upload(self, requests: Iterator[Any], context: grpc.ServicerContext, tar: bool) -> None:
        first = next(requests, None)
        if first is None:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "upload stream ended before its first message")
            raise AssertionError("unreachable")
        comm = self._get(first.id, context)

        stop = threading.Event()
        context.add_callback(stop.set)

        def receive(put: Callable[[Any], None]) -> None:
            if first.data:
                put(first.data)
            for chunk in requests:
                put(chunk.data)

        # Receive in a thread while this one sends: the gRPC hop and the SSH hop overlap.
        receiver = _Worker(receive, stop)

        def data() -> Iterator[bytes]:
            yield from receiver.items()
            if receiver.error is not None:
                raise receiver.error

        stream = stream_from_chunks(data())
        try:
            if tar:
                comm.upload_tar(first.dst, stream)
            else:
                # size 0 is proto3's "unset": treat it as unknown rather than promise an empty file
                comm.upload(first.dst, stream, mode=first.mode or None, size=first.size if first.size > 0 else None)
        except Exception as exc:  # noqa: BLE001 - becomes the RPC's status
            stop.set()
            _abort(context, exc)

    def Upload(self, request_iterator: Iterator[pb.UploadRequest], context: grpc.ServicerContext
               ) -> pb.UploadResponse:
        self._upload(request_iterator, context, tar=False)
        return pb.UploadResponse()

    def UploadTar(self, request_iterator: Iterator[pb.UploadTarRequest], context: grpc.ServicerContext
                  ) -> pb.UploadTarResponse:
        self._upload(request_iterator, context, tar=True)
        return pb.UploadTarResponse()

    def Download(self, request: pb.DownloadRequest, context: grpc.ServicerContext) -> Iterator[pb.DownloadResponse]:
        comm = self._get(request.id, context)
        stop = threading.Event()
        context.add_callback(stop.set)

        def work(put: Callable[[Any], None]) -> None:
            writer = _QueueWriter(put)
            comm.download(request.src, writer)  # type: ignore[arg-type]
            writer.flush()

        worker = _Worker(work, stop)
        for data in worker.items():
            yield pb.DownloadResponse(data=data)
        if worker.error is not None:
            _abort(context, worker.error)

    def DownloadTar(self, request: pb.DownloadTarRequest, context: grpc.ServicerContext
                    ) -> Iterator[pb.DownloadTarResponse]:
        comm = self._get(request.id, context)
        try:
            for data in comm.download_tar(request.src):
                yield pb.DownloadTarResponse(data=data)
        except Exception as exc:  # noqa: BLE001 - becomes the RPC's status
            _abort(context, exc)


# ------------------------------------------------------------------------------------------- client


def _error(exc: grpc.RpcError, what: str) -> Exception:
    code = exc.code() if isinstance(exc, grpc.Call) else None
    details = (exc.details() if isinstance(exc, grpc.Call) else None) or str(exc)
    if code == grpc.StatusCode.CANCELLED:
        return Cancelled(f"{what}: cancelled")
    if code == grpc.StatusCode.ABORTED:
        return ConnectionLost(details)
    if code == grpc.StatusCode.NOT_FOUND:
        return FileNotFoundError(details)
    if code == grpc.StatusCode.UNAVAILABLE and "connect" in details.lower() and "failed" in details.lower():
        return RemoteCommandError(f"{what}: lost the connection to the builder's communicator: {details}")
    return RemoteCommandError(details)


class RemoteCommunicator(Communicator):
    """A Communicator served by another process (the builder's plugin), reached at ``ref.address``."""

    def __init__(self, ref: pb.Ref) -> None:
        self._stub = rpc.CommunicatorStub(channels.channel(ref.address))
        self._id = ref.id

    def run(
        self,
        command: str,
        *,
        stdout: OutputHandler | None = None,
        stderr: OutputHandler | None = None,
        stdin: BinaryIO | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        data = stdin.read() if stdin is not None else b""  # the protocol sends stdin in one message
        call = self._stub.RunCommand(pb.RunCommandRequest(id=self._id, command=command, stdin=data))
        done = threading.Event()
        if cancel is not None:
            threading.Thread(target=_cancel_when, args=(cancel, done, call), daemon=True).start()
        status = -1
        try:
            for event in call:
                kind = event.WhichOneof("event")
                if kind == "stdout" and stdout is not None:
                    stdout(event.stdout)
                elif kind == "stderr" and stderr is not None:
                    stderr(event.stderr)
                elif kind == "exit_status":
                    status = event.exit_status
        except grpc.RpcError as exc:
            if cancel is not None and cancel.is_set():
                raise Cancelled(f"remote command interrupted: {command}") from None
            raise _error(exc, f"running {command!r}") from None
        finally:
            done.set()
        return status

    def _chunks(self, dst: str, src: BinaryIO, mode: int | None, size: int | None) -> Iterator[pb.UploadRequest]:
        yield pb.UploadRequest(id=self._id, dst=dst, mode=mode or 0, size=-1 if size is None else size)
        for data in iter_chunks(src, CHUNK_SIZE):
            yield pb.UploadRequest(data=data)

    def _tar_chunks(self, dst: str, src: BinaryIO) -> Iterator[pb.UploadTarRequest]:
        yield pb.UploadTarRequest(id=self._id, dst=dst)
        for data in iter_chunks(src, CHUNK_SIZE):
            yield pb.UploadTarRequest(data=data)

    def upload(self, dst: str, src: BinaryIO, *, mode: int | None = None, size: int | None = None) -> None:
        try:
            self._stub.Upload(self._chunks(dst, src, mode, size))
        except grpc.RpcError as exc:
            raise _error(exc, f"uploading {dst}") from None

    def upload_tar(self, dst: str, tar_stream: BinaryIO) -> None:
        try:
            self._stub.UploadTar(self._tar_chunks(dst, tar_stream))
        except grpc.RpcError as exc:
            raise _error(exc, f"uploading to {dst}") from None

    def download(self, src: str, dst: BinaryIO) -> None:
        try:
            for chunk in self._stub.Download(pb.DownloadRequest(id=self._id, src=src)):
                dst.write(chunk.data)
        except grpc.RpcError as exc:
            raise _error(exc, f"downloading {src}") from None

    def download_tar(self, src: str) -> Iterator[bytes]:
        call = self._stub.DownloadTar(pb.DownloadTarRequest(id=self._id, src=src))
        try:
            for chunk in call:
                yield chunk.data
        except grpc.RpcError as exc:
            raise _error(exc, f"downloading {src}") from None
        finally:
            call.cancel()


def _cancel_when(cancel: threading.Event, done: threading.Event, call: Any) -> None:
    while not done.is_set():
        if cancel.wait(0.1):
            call.cancel()
            return
