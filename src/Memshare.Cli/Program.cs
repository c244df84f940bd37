Console.WriteLine("memshare: not yet");
return 1;
