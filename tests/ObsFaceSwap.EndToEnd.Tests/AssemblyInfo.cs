// One OBS at a time: the machine has 2 cores and the tests measure timing.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
