/* lwIP configuration for salvage: NO_SYS (polled, no threads), IPv4 with UDP, DHCP, ARP and IP
 * fragmentation both ways, all memory in static arrays (.bss) sized for TFTP blksize 65464. */
#ifndef NET_PORT_LWIPOPTS_H
#define NET_PORT_LWIPOPTS_H

/* --- System: one CPU, no interrupts, no OS. lwIP runs only from net_poll() and its callers. */
#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0		/* nothing preempts lwIP: no interrupts are enabled */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0

/* --- Memory: everything static. The heap (MEM_SIZE) and the pools are arrays in lwIP's .bss. */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_USE_POOLS 0
#define MEM_ALIGNMENT __SIZEOF_POINTER__ /* 4 on i386; 8 in the x86_64 host unit tests (UBSan checks pbuf alignment) */
/* The heap holds PBUF_RAM allocations: outgoing TFTP blocks (net/tftp.c allocates one of up to
 * 65464 + 4 bytes at a time and frees it once sent), the headers of its IP fragments while each is
 * sent, and the fragments copied when ARP has to resolve the first hop first (ARP_QUEUE_LEN below;
 * net_up resolves it in advance). Room for two maximal blocks and slack; every KiB here is a KiB
 * more of crashkernel= memory. */
#define MEM_SIZE (2u * 66u * 1024u + 8u * 1024u)
/* Receive pbufs: one Ethernet frame each; enough for a whole 64 KiB datagram in reassembly
 * (45 fragments of 1480 bytes) plus the frames still queued behind it. */
#define PBUF_POOL_SIZE 80
#define PBUF_POOL_BUFSIZE 1536
/* PBUF_REF/ROM headers: fragments reference the datagram they cut (IP_FRAG) and a TFTP client may
 * send blocks by reference; up to a TFTP window (64) of them. */
#define MEMP_NUM_PBUF 96
#define MEMP_NUM_FRAG_PBUF 96
#define MEMP_NUM_UDP_PCB 4		/* DHCP, the TFTP client, one spare */
#define MEMP_NUM_RAW_PCB 1		/* net/tftp.c watches ICMP: a refused request ends at once */
#define MEMP_NUM_TCP_PCB 0
#define MEMP_NUM_TCP_PCB_LISTEN 0
#define MEMP_NUM_TCP_SEG 0
#define MEMP_NUM_REASSDATA 8		/* datagrams being reassembled at once */
#define MEMP_NUM_ARP_QUEUE 96

/* --- Protocols: IPv4 only; UDP, ICMP (so the box answers ping), DHCP, ARP, and a raw pcb through which
 * the TFTP client sees ICMP errors (lwIP's UDP ignores them). */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_TCP 0
#define LWIP_RAW 1
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define LWIP_DHCP 1
/* lwIP 2.1 would ARP-probe the offered address for about a second before binding. A capture kernel
 * wants to start sending at once, and the DHCP server hands out the lease it already checked. */
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_SINGLE_NETIF 1		/* one NIC is brought up */
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0
#define LWIP_NETIF_API 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_BROADCAST_PING 0
#define LWIP_MULTICAST_PING 0

/* --- ARP: queue everything sent while the first hop resolves, so the first (fragmented) TFTP
 * block is not cut down to its last fragment. */
#define ARP_QUEUEING 1
#define ARP_QUEUE_LEN 64
#define ARP_TABLE_SIZE 8

/* --- IP fragmentation both ways: TFTP blocks up to 65464 bytes travel as fragmented datagrams. */
#define IP_FRAG 1
#define IP_REASSEMBLY 1
#define IP_REASS_MAX_PBUFS 64		/* > 45: one maximal datagram */
#define IP_REASS_MAXAGE 3		/* seconds; a lost fragment is retransmitted by TFTP anyway */
#define IP_DEFAULT_TTL 64

/* --- Checksums: generated and checked in software (the drivers use no offloads). Algorithm 3 sums
 * 32 bits at a time, the fastest of lwIP's portable ones on i386. */
#define LWIP_CHKSUM_ALGORITHM 3
#define CHECKSUM_GEN_IP 1
#define CHECKSUM_GEN_UDP 1
#define CHECKSUM_GEN_ICMP 1
#define CHECKSUM_CHECK_IP 1
#define CHECKSUM_CHECK_UDP 1
#define CHECKSUM_CHECK_ICMP 1

/* --- Diagnostics: statistics off; asserts on (LWIP_PLATFORM_ASSERT in arch/cc.h); debug off. */
#define LWIP_STATS 0
#define LWIP_STATS_DISPLAY 0
#define ETH_PAD_SIZE 0

#endif
