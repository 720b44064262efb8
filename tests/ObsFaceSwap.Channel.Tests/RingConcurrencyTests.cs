using System.Buffers.Binary;

namespace ObsFaceSwap.Channel.Tests;

/// <summary>A producer thread (shim) and a consumer thread (host) hammer one channel.</summary>
public sealed unsafe class RingConcurrencyTests
{
    private const int W = 32;
    private const int H = 16;

    [Theory]
    [InlineData(1, 3, 20_000)]
    [InlineData(2, 3, 20_000)]
    [InlineData(2, 8, 20_000)]
    public void No_frame_is_lost_duplicated_reordered_or_torn(int queueDepth, int slots, int frames)
    {
        using var pair = ChannelPair.Create(queueDepth: queueDepth, frameSlots: slots, frameDataCapacity: W * H * 4);
        using var waiter = FrameWaiter.Create(pair.Host, wakeName: null);
        var deadline = Environment.TickCount64 + 60_000;
        var producerDone = 0;
        var published = new List<ulong>(frames);
        Exception? producerError = null;

        var producer = new Thread(() =>
        {
            try
            {
                var pixels = new byte[W * H * 4];
                for (var i = 0; i < frames && Environment.TickCount64 < deadline; i++)
                {
                    // Every pixel carries the frame id the shim will assign: a torn frame shows as mixed ids.
                    var id = (uint)pair.Shim.NextFrameId;
                    for (var p = 0; p < pixels.Length; p += 4)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(pixels.AsSpan(p), id);
                    }

                    if (pair.Shim.TryPublishFrame(FrameSpec.Bgra(W, H), pixels, (ulong)i, out var published1))
                    {
                        published.Add(published1);
                    }
                }
            }
            catch (Exception e)
            {
                producerError = e;
            }
            finally
            {
                Volatile.Write(ref producerDone, 1);
            }
        })
        { IsBackground = true, Name = "test-shim-producer" };

        var received = new List<ulong>(frames);
        producer.Start();
        while (Environment.TickCount64 < deadline)
        {
            var done = Volatile.Read(ref producerDone) == 1;
            var seq = pair.Host.ReadFrameSeq();
            var status = pair.Host.TryAcquireFrame(out var lease);
            if (status == FrameAcquireStatus.Acquired)
            {
                var id = lease.Header.FrameId;
                var data = lease.Data;
                var first = BinaryPrimitives.ReadUInt32LittleEndian(data);
                var last = BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]);
                var mid = BinaryPrimitives.ReadUInt32LittleEndian(data[(data.Length / 2)..]);
                var intact = lease.Release();
                Assert.True(intact, $"frame {id} torn");
                Assert.True(first == (uint)id && mid == (uint)id && last == (uint)id, $"frame {id} has pixels of frames {first}/{mid}/{last}");
                received.Add(id);
                continue;
            }

            Assert.True(status != FrameAcquireStatus.Rejected, $"frame rejected: {pair.Host.LastRejectReason}");
            if (done)
            {
                break; // producer finished and nothing is READY any more
            }

            waiter.Wait(seq, TimeSpan.FromMilliseconds(50));
        }

        Assert.True(producer.Join(TimeSpan.FromSeconds(10)), "producer did not finish");
        Assert.Null(producerError);
        Assert.True(Environment.TickCount64 < deadline, "the test ran out of time");

        // Strictly increasing: FIFO, no duplicate; every id was published.
        for (var i = 1; i < received.Count; i++)
        {
            Assert.True(received[i] > received[i - 1], $"frame {received[i]} after {received[i - 1]}");
        }

        var publishedSet = published.ToHashSet();
        Assert.All(received, id => Assert.Contains(id, publishedSet));

        // Every published frame was either read or dropped by the shim.
        var h = pair.Shim.Header;
        Assert.Equal((ulong)published.Count, h->FramesWritten);
        Assert.Equal((ulong)received.Count, h->FramesRead);
        Assert.Equal(h->FramesWritten, h->FramesRead + h->FramesDropped);
        Assert.Equal((ulong)frames, h->FramesWritten + h->FramesSkipped);
        Assert.True(received.Count > 0);
        Assert.Equal(published[^1], received[^1]);
    }

    [Fact]
    public void Results_hammered_by_the_host_are_read_newest_first_and_never_torn()
    {
        using var pair = ChannelPair.Create(resultDataCapacity: 4096);
        const int results = 20_000;
        var deadline = Environment.TickCount64 + 60_000;
        var done = 0;
        Exception? error = null;
        var host = new Thread(() =>
        {
            try
            {
                var builder = new ResultBuilder(pair.Host.Geometry.ResultDataCapacity);
                for (var i = 1; i <= results && Environment.TickCount64 < deadline; i++)
                {
                    builder.Reset();
                    var patch = builder.AddPatch(8, 8, [1f, 0f, i, 0f, 1f, 0], 1);
                    for (var p = 0; p < patch.Length; p += 4)
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(patch[p..], i);
                    }

                    pair.Host.TryPublishResult(builder, (ulong)i, 0, 64, 48, 0);
                }
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                Volatile.Write(ref done, 1);
            }
        })
        { IsBackground = true };

        host.Start();
        ulong last = 0;
        var consumed = 0;
        while (Environment.TickCount64 < deadline)
        {
            var finished = Volatile.Read(ref done) == 1;
            if (pair.Shim.TryBeginReadResult(out var lease))
            {
                var id = lease.Header.FrameId;
                var item = lease.Items[0];
                var row = lease.PatchRow(item, 7);
                var pixel = BinaryPrimitives.ReadInt32LittleEndian(row[^4..]);
                var affineC = item.Affine[2];
                Assert.True(lease.End(), $"result {id} torn");
                Assert.True(id > last, $"result {id} after {last}");
                Assert.Equal((int)id, pixel);
                Assert.Equal((float)id, affineC);
                last = id;
                consumed++;
            }
            else if (finished)
            {
                break;
            }
        }

        Assert.True(host.Join(TimeSpan.FromSeconds(10)));
        Assert.Null(error);
        Assert.True(consumed > 0);
        Assert.Equal((ulong)results, last);
        var h = pair.Shim.Header;
        Assert.Equal((ulong)results, h->ResultsWritten);
        Assert.Equal((ulong)consumed, h->ResultsConsumed);
        Assert.Equal(0UL, h->ResultsRejected);
        Assert.Equal(h->ResultsWritten, h->ResultsConsumed + h->ResultsDropped);
    }
}
