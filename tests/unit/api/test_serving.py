"""`lyra serve --workers N`: connections accepted on the shared listener have Nagle off."""

import asyncio
import socket
import threading

from api.serving import TcpConfig


def test_connections_on_the_workers_listener_get_tcp_nodelay() -> None:
    config = TcpConfig("api.main:create_app", factory=True, host="127.0.0.1", port=0, workers=2)
    listener = config.bind_socket()
    assert listener.proto == socket.IPPROTO_TCP and listener.get_inheritable()
    seen: list[int] = []

    async def scenario() -> None:
        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(
                socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    # A thread of its own: an earlier test may have left an event loop running on this one.
    runner = threading.Thread(target=asyncio.run, args=(scenario(),))
    runner.start()
    runner.join(timeout=10)
    assert seen and seen[0] != 0
