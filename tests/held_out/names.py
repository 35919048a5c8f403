"""async and await as names, in every place 2014-2016 code used them."""
import asyncio
import sys
import traceback

if sys.version_info < (3, 4, 4):  # never true on 3.6 either: still compiled
    from asyncio import async as ensure_future
else:
    ensure_future = getattr(asyncio, 'ensure_future')
from asyncio import async as spawn
from asyncio import async

import oldpkg.async
from oldpkg.async import AsyncEvents
from oldpkg import async as events_module


class Config(dict):
    """irc3's configuration: keys read back as attributes (config.async)."""

    def __getattr__(self, name):
        return self[name]


def connect(host, port=6667, async=True, **kwargs):
    return '%s:%s async=%s %s' % (host, port, async, sorted(kwargs))


config = Config(dict(host='irc.example.org', async=True))
print('config.async:', config.async, config['async'])
print('keyword:', connect('irc', async=False, await=1))
loop = asyncio.new_event_loop()
events = AsyncEvents(loop, async=False)
print('members:', events.async, events.await('x'), AsyncEvents.await.__name__)
print('module:', oldpkg.async.__name__, events_module.__name__, events_module.async(21))
print('modules:', sorted(name for name in sys.modules if name.startswith('oldpkg')))
print('classes:', AsyncEvents.__module__, AsyncEvents.__qualname__)
print('function:', events_module.async.__name__, events_module.async.__qualname__)

task = spawn(events.wait_for('spawned'), loop=loop)
other = async(events.wait_for('async'), loop=loop)
print('tasks:', loop.run_until_complete(asyncio.gather(task, other, loop=loop)))
print('asyncio.async is ensure_future:', asyncio.async(events.wait_for('t'), loop=loop).__class__
      is asyncio.Task)
loop.run_until_complete(asyncio.sleep(0, loop=loop))
await = 'a name'
print('await:', await)

try:
    events_module.async(None)
except ValueError:
    for frame in traceback.extract_tb(sys.exc_info()[2]):
        where = '/'.join(frame.filename.replace('\\', '/').split('/')[-2:])
        print('traceback:', where, frame.lineno, frame.name, frame.line)
loop.close()
