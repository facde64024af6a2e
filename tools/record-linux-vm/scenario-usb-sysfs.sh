# Guest scenario (sourced by record.sh's init, which gives `rec`): the USB sysfs tree of a guest
# with an xHCI and an EHCI controller and emulated devices, copied attribute by attribute into
# /out/sys for the Device.USB. fixtures (test/fixtures/usb-sysfs-vm/README.md). Run it as
#
#   QEMU_EXTRA="-device qemu-xhci,id=xhci -device usb-ehci,id=ehci
#     -netdev user,id=un0 -device usb-net,netdev=un0,bus=xhci.0,port=1
#     -drive if=none,id=stick,file=WORK/stick.img,format=raw -device usb-storage,drive=stick,bus=xhci.0,port=2
#     -device usb-hub,bus=xhci.0,port=3 -device usb-kbd,bus=xhci.0,port=3.1
#     -device usb-tablet,bus=ehci.0" tools/record-linux-vm/record.sh WORK OUT scenario-usb-sysfs.sh
#
# No udev runs in the guest: the drivers are loaded here by name.
for m in xhci_pci ehci_pci usb_storage uas usbhid cdc_ether rndis_host; do modprobe "$m" 2> /dev/null; done
# Enumeration is asynchronous: wait (bounded) for the five devices and the USB netdev.
i=0
while [ "$i" -lt 60 ]; do
  n=$(ls /sys/bus/usb/devices | grep -c -v -e ':' -e '^usb')
  nets=$(for d in /sys/class/net/*; do readlink -f "$d/device"; done 2> /dev/null | grep -c /usb)
  [ "$n" -ge 5 ] && [ "$nets" -ge 1 ] && break
  sleep 1
  i=$((i + 1))
done
ip link set lo up
# The USB netdev up with an address from QEMU's user network, and some traffic for its counters.
for d in /sys/class/net/*; do
  case "$(readlink -f "$d/device" 2> /dev/null)" in */usb*) usbnet=$(basename "$d") ;; esac
done
if [ -n "${usbnet:-}" ]; then
  rec usbnet-up ip link set dev "$usbnet" up
  rec usbnet-dhcp busybox udhcpc -i "$usbnet" -n -q -t 5 -s /bin/true
  ip addr add 10.0.2.15/24 dev "$usbnet"
  rec usbnet-ping ping -c 3 -i 0.3 -W 2 10.0.2.2
fi
rec usb-devices ls -l /sys/bus/usb/devices/
rec usb-net-links ls -l /sys/class/net/

# copy_attrs SRC DST: the readable regular files of SRC (one level), as text.
copy_attrs() {
  mkdir -p "$2"
  for f in "$1"/*; do
    [ -f "$f" ] || continue
    case "$(basename "$f")" in descriptors | remove | bind | unbind | new_id | remove_id) continue ;; esac
    cat "$f" > "$2/$(basename "$f")" 2> /dev/null || rm -f "$2/$(basename "$f")"
  done
}
S=/out/sys
for d in /sys/bus/usb/devices/*; do
  name=$(basename "$d")
  copy_attrs "$d" "$S/bus/usb/devices/$name"
  [ -d "$d/power" ] && copy_attrs "$d/power" "$S/bus/usb/devices/$name/power"
  # A root hub's ports: usbN/N-0:1.0/usbN-portM/ (connect_type, location, peer).
  for p in "$d"/*-port*; do
    [ -d "$p" ] || continue
    copy_attrs "$p" "$S/bus/usb/devices/$name/$(basename "$p")"
    [ -L "$p/peer" ] && ln -s "$(readlink "$p/peer")" "$S/bus/usb/devices/$name/$(basename "$p")/peer"
  done
  readlink -f "$d" > "$S/bus/usb/devices/$name.realpath"
done
for n in /sys/class/net/*; do
  dev=$(readlink -f "$n/device" 2> /dev/null) || continue
  case "$dev" in */usb*) ;; *) continue ;; esac
  name=$(basename "$n")
  copy_attrs "$n" "$S/class/net/$name"
  copy_attrs "$n/statistics" "$S/class/net/$name/statistics"
  # The fixture's device link points into its own bus/usb/devices (on a device: into /sys/devices).
  ln -s "../../../bus/usb/devices/$(basename "$dev")" "$S/class/net/$name/device"
  readlink -f "$n/device/driver" > "$S/class/net/$name/device.driver"
done
